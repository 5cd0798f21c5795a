package io.weft.cli;

import io.weft.netpoll.tls.TlsHandshakeException;
import io.weft.yamux.KeepAliveTimeoutException;
import io.weft.yamux.RemoteGoAwayException;
import io.weft.yamux.YamuxProtocolException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.nio.channels.ClosedByInterruptException;

/**
 * The command's exit codes and the one-line descriptions of failures printed on stderr.
 * Stateless; any thread.
 */
final class Failures {

    /** Success, or a clean end (EOF, GoAway 0). */
    static final int OK = 0;
    /** I/O or runtime failure: connection refused, reset, transport closed. */
    static final int IO = 1;
    /** Bad command line or unusable input: unknown flag, bad address or duration, port in use. */
    static final int USAGE = 2;
    /** yamux protocol error, detected here or reported by the peer (GoAway 1 or 2). */
    static final int PROTOCOL = 3;
    /** The peer stopped answering keepalive pings. */
    static final int KEEPALIVE = 4;
    /**
     * Authentication failed: the shared token was refused or missing, or the TLS handshake
     * rejected a certificate (unknown authority, wrong name, expired, pin mismatch, client
     * certificate required or refused by the peer).
     */
    static final int AUTH = 5;
    /** Stopped by SIGINT or SIGTERM. */
    static final int INTERRUPTED = 130;

    private Failures() {}

    /** The exit code for a failure, looking through the cause chain for the most specific kind. */
    static int exitCode(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UsageException || t instanceof BindException || t instanceof RoleMismatchException) {
                return USAGE;
            }
            if (t instanceof AuthenticationFailedException || TokenAuth.serverRequiresToken(t)) {
                return AUTH;
            }
            if (t instanceof TlsHandshakeException tls) {
                return switch (tls.reason()) {
                    case UNKNOWN_AUTHORITY, HOSTNAME_MISMATCH, CERTIFICATE_EXPIRED, PIN_MISMATCH,
                            CLIENT_CERTIFICATE_REQUIRED, PEER_ALERT -> AUTH;
                    case NOT_TLS, PROTOCOL_VERSION, NO_SHARED_CIPHER -> PROTOCOL;
                    case PEER_CLOSED, OTHER -> IO;
                };
            }
            if (t instanceof KeepAliveTimeoutException) {
                return KEEPALIVE;
            }
            if (t instanceof YamuxProtocolException || t instanceof ProtocolMismatchException
                    || t instanceof NotYamuxException) {
                return PROTOCOL;
            }
            if (t instanceof RemoteGoAwayException goAway && goAway.code() != 0) {
                return PROTOCOL;
            }
            if (t instanceof InterruptedException
                    || (t instanceof InterruptedIOException && !(t instanceof java.net.SocketTimeoutException))
                    || t instanceof ClosedByInterruptException) {
                return INTERRUPTED;
            }
        }
        return IO;
    }

    /**
     * A one-line description: the message, followed by the causes' messages when they add
     * something ({@code "session failed: connection reset: Broken pipe"}).
     */
    static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (TokenAuth.serverRequiresToken(t)) {
                return TokenAuth.SERVER_REQUIRES_TOKEN;
            }
            if ((t instanceof AuthenticationFailedException || t instanceof ProtocolMismatchException
                    || t instanceof TlsHandshakeException) && t != failure) {
                return describe(t); // "connection lost: the server refused the token": the reason is what matters
            }
        }
        StringBuilder sb = new StringBuilder();
        String last = null;
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 5; t = t.getCause(), depth++) {
            String message = t.getMessage();
            if (message == null || message.isBlank()) {
                message = t instanceof UsageException ? "usage error" : humanName(t);
            }
            if (last != null && last.toLowerCase(java.util.Locale.ROOT).contains(message.toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append(": ");
            }
            sb.append(GoDuration.formatIn(message.strip().replace('\n', ' ')));
            last = message;
            if (t instanceof TlsHandshakeException || t instanceof NotYamuxException) {
                break; // its message says it all; the JDK's causes below it are noise on a command line
            }
        }
        return sb.toString();
    }

    private static String humanName(Throwable t) {
        String name = t.getClass().getSimpleName();
        return name.endsWith("Exception") ? name.substring(0, name.length() - "Exception".length()) : name;
    }

    /**
     * Input that the command cannot use, found after parsing (port in use, unix socket path
     * taken): exit code 2 with the message as the one line.
     */
    static final class UsageException extends IOException {
        private static final long serialVersionUID = 1L;

        UsageException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

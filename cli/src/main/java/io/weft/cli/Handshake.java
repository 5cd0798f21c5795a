package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.netpoll.tls.Tls;
import io.weft.netpoll.tls.TlsConfig;
import io.weft.netpoll.tls.TlsConn;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;

/**
 * What happens on a new connection before yamux starts on it: the TLS handshake (when TLS is
 * configured), then the shared-token check of {@link TokenAuth} (when a token is), both within
 * one deadline of {@link #timeout()}. With neither, the connection is used as it is. Immutable;
 * any thread; each call blocks the calling thread (a virtual thread on servers) for at most the
 * timeout.
 */
final class Handshake {

    /** No TLS, no token: plain yamux (a client only watches for a token challenge, see {@link PlainClientConn}). */
    static final Handshake PLAIN = new Handshake(null, null, null, Duration.ofSeconds(10));

    private final TlsConfig tls;
    private final String serverName;
    private final Token token;
    private final Duration timeout;

    private Handshake(TlsConfig tls, String serverName, Token token, Duration timeout) {
        this.tls = tls;
        this.serverName = serverName;
        this.token = token;
        this.timeout = timeout;
    }

    /** A server's handshake. {@code tls} and {@code token} may each be null. */
    static Handshake server(TlsConfig tls, Token token, Duration timeout) {
        return new Handshake(tls, null, token, timeout);
    }

    /** A client's handshake; {@code serverName} is what the server's certificate must name. */
    static Handshake client(TlsConfig tls, String serverName, Token token, Duration timeout) {
        return new Handshake(tls, serverName, token, timeout);
    }

    boolean usesTls() {
        return tls != null;
    }

    boolean usesToken() {
        return token != null;
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * Runs this side's handshake on {@code conn} and returns the connection to run yamux on. On
     * failure the connection is closed and the exception says which step failed.
     */
    Conn run(Conn conn, boolean client) throws IOException {
        if (tls == null && token == null) {
            return client ? new PlainClientConn(conn) : conn;
        }
        Conn c = conn;
        String step = "tls handshake";
        try {
            if (tls != null) {
                TlsConn t = client ? Tls.client(conn, tls, serverName) : Tls.server(conn, tls);
                c = t;
                t.setDeadline(Instant.now().plus(timeout));
                t.handshake();
            } else {
                c.setDeadline(Instant.now().plus(timeout));
            }
            if (token != null) {
                step = "token exchange";
                if (client) {
                    TokenAuth.client(c, token);
                } else {
                    TokenAuth.server(c, token);
                }
            }
            c.setDeadline(null);
            return client && token == null ? new PlainClientConn(c) : c;
        } catch (AuthenticationFailedException e) {
            closeQuietly(c, conn);
            throw e;
        } catch (SocketTimeoutException e) {
            closeQuietly(c, conn);
            SocketTimeoutException timedOut = new SocketTimeoutException(
                    step + " not finished within " + GoDuration.format(timeout));
            timedOut.initCause(e);
            throw timedOut;
        } catch (IOException | RuntimeException e) {
            closeQuietly(c, conn);
            throw e;
        }
    }

    private static void closeQuietly(Conn outer, Conn inner) {
        for (Conn c : new Conn[] {outer, inner}) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // Failed already; closing only releases it.
            }
        }
    }
}

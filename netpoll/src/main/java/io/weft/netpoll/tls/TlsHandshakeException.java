package io.weft.netpoll.tls;

import javax.net.ssl.SSLHandshakeException;

/**
 * A TLS handshake failed. {@link #reason()} says why in a form a program can act on; the message
 * says it for a person, e.g. {@code "tls handshake with 127.0.0.1:7000: certificate signed by
 * unknown authority"}. The JDK's exception, when there was one, is the cause. Once a handshake
 * has failed, every later call on the connection throws this exception again.
 */
public class TlsHandshakeException extends SSLHandshakeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** The peer's certificate chain does not lead to a trusted authority. */
        UNKNOWN_AUTHORITY,
        /** The server's certificate does not name the server name the client asked for. */
        HOSTNAME_MISMATCH,
        /** A certificate has expired or is not yet valid. */
        CERTIFICATE_EXPIRED,
        /** The certificate is not the pinned one. */
        PIN_MISMATCH,
        /** The server required a client certificate and none was sent. */
        CLIENT_CERTIFICATE_REQUIRED,
        /** No protocol version both ends enable. */
        PROTOCOL_VERSION,
        /** No cipher suite both ends enable. */
        NO_SHARED_CIPHER,
        /** The peer refused the handshake with a fatal alert (it did not like our certificate, say). */
        PEER_ALERT,
        /** The peer closed the connection during the handshake. */
        PEER_CLOSED,
        /** The peer does not speak TLS (plain TCP, HTTP or yamux bytes arrived). */
        NOT_TLS,
        /** Anything else; the message and cause say what. */
        OTHER
    }

    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param message the whole message
     * @param reason what went wrong
     * @param cause the JDK's exception, or null
     */
    public TlsHandshakeException(String message, Reason reason, Throwable cause) {
        super(message);
        this.reason = reason;
        if (cause != null) {
            initCause(cause);
        }
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }
}

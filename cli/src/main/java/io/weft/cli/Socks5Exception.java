package io.weft.cli;

/** A SOCKS5 client sent something this server does not accept; carries the RFC 1928 reply code due, if any. */
final class Socks5Exception extends java.net.ProtocolException {
    private static final long serialVersionUID = 1L;

    /** {@link #replyCode} when no reply is due (the client does not speak SOCKS5, or the greeting is bad). */
    static final int NO_REPLY = -1;

    private final int replyCode;

    Socks5Exception(String message, int replyCode) {
        super(message);
        this.replyCode = replyCode;
    }

    /** The REP code to answer the request with, or {@link #NO_REPLY}. */
    int replyCode() {
        return replyCode;
    }
}

package io.weft.yamux;

import io.weft.yamux.frame.GoAwayCodes;
import java.io.IOException;

/**
 * The protocol was broken, so the session failed: either the peer sent something no yamux peer
 * may send (we answered with GoAway({@link GoAwayCodes#PROTOCOL_ERROR})), or the peer told us with
 * GoAway(1) that we did. Every blocked and later call gets this exception.
 */
public class YamuxProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long goAwayCode;
    private final String reason;
    private final boolean remote;
    private final byte[] firstBytes;

    /** The most bytes {@link #firstBytes()} keeps. */
    public static final int FIRST_BYTES_LIMIT = 32;

    /**
     * Creates the exception.
     *
     * @param goAwayCode the GoAway code sent or received, normally {@link GoAwayCodes#PROTOCOL_ERROR};
     *     unsigned 32 bits, of which only the low 32 count
     * @param reason what was wrong, for example "data beyond the receive window on stream 3"
     * @param remote whether the peer reported the error (we received the GoAway)
     */
    public YamuxProtocolException(long goAwayCode, String reason, boolean remote) {
        this(goAwayCode, reason, remote, new byte[0]);
    }

    /**
     * Creates the exception for a connection whose very first bytes were no yamux frame header.
     *
     * @param goAwayCode the GoAway code sent, normally {@link GoAwayCodes#PROTOCOL_ERROR}
     * @param reason what was wrong with the header, for example "unsupported yamux version 72"
     * @param firstBytes what the peer sent first (a copy of at most {@link #FIRST_BYTES_LIMIT} is kept)
     */
    public static YamuxProtocolException notYamux(long goAwayCode, String reason, byte[] firstBytes) {
        return new YamuxProtocolException(goAwayCode, reason, false,
                java.util.Arrays.copyOf(firstBytes, Math.min(firstBytes.length, FIRST_BYTES_LIMIT)));
    }

    private YamuxProtocolException(long goAwayCode, String reason, boolean remote, byte[] firstBytes) {
        super((remote ? "peer reported a yamux protocol error" : "yamux protocol error") + ": " + reason
                + (firstBytes.length == 0 ? "" : " (the connection began with \"" + printable(firstBytes) + "\")"));
        this.goAwayCode = goAwayCode & 0xFFFF_FFFFL;
        this.reason = reason;
        this.remote = remote;
        this.firstBytes = firstBytes;
    }

    /** The GoAway code that was sent or received, 0 to 2^32-1 (unsigned 32 bits, never negative). */
    public long goAwayCode() {
        return goAwayCode;
    }

    /** What was wrong. */
    public String reason() {
        return reason;
    }

    /** Whether the peer reported the error, rather than this side detecting it. */
    public boolean isRemote() {
        return remote;
    }

    /**
     * The first bytes the peer sent on the connection (at most {@link #FIRST_BYTES_LIMIT}; as many
     * as had arrived, at least a frame header's 12), when they were not a valid frame header: the
     * peer most likely speaks another protocol ({@code "HTTP/1.1 400"}, an SSH banner). Empty
     * when the session had received a valid frame before the error, or the error is another kind.
     * A copy.
     */
    public byte[] firstBytes() {
        return firstBytes.clone();
    }

    /**
     * {@code bytes} as printable ASCII for a one-line message: printable characters as they are,
     * {@code \\}, {@code \"}, {@code \r}, {@code \n} and {@code \t} escaped, other bytes as
     * {@code \xNN}.
     */
    public static String printable(byte[] bytes) {
        StringBuilder text = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xFF;
            switch (c) {
                case '\\' -> text.append("\\\\");
                case '"' -> text.append("\\\"");
                case '\r' -> text.append("\\r");
                case '\n' -> text.append("\\n");
                case '\t' -> text.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        text.append((char) c);
                    } else {
                        text.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                    }
                }
            }
        }
        return text.toString();
    }
}

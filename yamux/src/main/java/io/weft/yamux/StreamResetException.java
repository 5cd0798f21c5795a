package io.weft.yamux;

import java.io.IOException;

/**
 * The stream was reset (RST), by the peer or locally, so its data is gone in both directions.
 * Thrown by every later read and write on the stream; also when the peer refused a stream we
 * opened (accept backlog full, stream limit, or the peer is going away).
 */
public class StreamResetException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int streamId;
    private final long errorCode;
    private final boolean remote;

    /**
     * Creates the exception.
     *
     * @param streamId the stream's id
     * @param errorCode the reset code (the length field of the {@code WindowUpdate|RST}), 0 when
     *     none; unsigned 32 bits: only its low 32 bits count, so an {@code int} holding the wire's
     *     bits (such as -2) and the unsigned value (4294967294L) give the same code
     * @param remote whether the peer sent the RST ({@code false}: reset by this side)
     */
    public StreamResetException(int streamId, long errorCode, boolean remote) {
        super("stream " + Integer.toUnsignedString(streamId) + " reset " + (remote ? "by peer" : "locally")
                + ((errorCode & 0xFFFF_FFFFL) != 0 ? " (code " + (errorCode & 0xFFFF_FFFFL) + ")" : ""));
        this.streamId = streamId;
        this.errorCode = errorCode & 0xFFFF_FFFFL;
        this.remote = remote;
    }

    /** The id of the stream that was reset. */
    public int streamId() {
        return streamId;
    }

    /** The reset code, 0 to 2^32-1 (unsigned 32 bits on the wire, never negative); 0 when the reset carried none. */
    public long errorCode() {
        return errorCode;
    }

    /** Whether the peer reset the stream. */
    public boolean isRemote() {
        return remote;
    }
}

package io.weft.yamux.frame;

/**
 * The four yamux frame types (spec.md "Type field"). Immutable; safe from any thread.
 */
public enum FrameType {
    /** Type 0: stream data; the length field counts the payload bytes that follow the header. */
    DATA(0),
    /** Type 1: stream window update; the length field is a credit delta (or a reset code with RST). */
    WINDOW_UPDATE(1),
    /** Type 2: session ping; the length field is an opaque value echoed back in the reply. */
    PING(2),
    /** Type 3: session termination; the length field is the GoAway code (see {@link GoAwayCodes}). */
    GO_AWAY(3);

    private static final FrameType[] BY_CODE = values();

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** The wire value of this type, 0 to 3. */
    public int code() {
        return code;
    }

    /**
     * The type for a wire value.
     *
     * @param code the unsigned type byte, 0 to 255
     * @return the type, or {@code null} when {@code code} is not a yamux type (a protocol error)
     */
    public static FrameType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}

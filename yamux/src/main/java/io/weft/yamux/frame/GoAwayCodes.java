package io.weft.yamux.frame;

/**
 * The GoAway codes defined by spec.md. Peers may send other values (go-yamux
 * {@code CloseWithError}); Weft treats any code other than {@link #NORMAL} as a session failure.
 * Stateless; safe from any thread.
 */
public final class GoAwayCodes {
    /** 0: normal termination; the sender accepts no new streams (hashicorp: existing streams go on). */
    public static final int NORMAL = 0;
    /** 1: the receiver of this code broke the protocol. */
    public static final int PROTOCOL_ERROR = 1;
    /** 2: the sender hit an internal error. */
    public static final int INTERNAL_ERROR = 2;

    private GoAwayCodes() {
    }

    /** A readable name: "normal", "protocol error", "internal error" or "code N" (unsigned). */
    public static String describe(int code) {
        return describe(Integer.toUnsignedLong(code));
    }

    /**
     * As {@link #describe(int)} for a code held as an unsigned value (0 to 2^32-1); only the low 32
     * bits count, so {@code describe(-16L)} and {@code describe(4294967280L)} both give "code 4294967280".
     */
    public static String describe(long code) {
        long unsigned = code & 0xFFFF_FFFFL;
        if (unsigned == NORMAL) {
            return "normal";
        } else if (unsigned == PROTOCOL_ERROR) {
            return "protocol error";
        } else if (unsigned == INTERNAL_ERROR) {
            return "internal error";
        }
        return "code " + unsigned;
    }
}

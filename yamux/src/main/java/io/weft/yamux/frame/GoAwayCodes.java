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
        return switch (code) {
            case NORMAL -> "normal";
            case PROTOCOL_ERROR -> "protocol error";
            case INTERNAL_ERROR -> "internal error";
            default -> "code " + Integer.toUnsignedString(code);
        };
    }
}

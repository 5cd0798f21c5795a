package io.weft.yamux.frame;

/**
 * The yamux flag bits (spec.md "Flag field") and helpers for the 16-bit flags value.
 *
 * <p>Any combination of bits is legal on the wire: rust-yamux sends {@code Data|ACK|FIN}, go-yamux
 * sends {@code WindowUpdate|RST} with a code. Bits other than these four have no meaning and are
 * ignored by Weft (they are kept in {@link FrameHeader#flags()} so logs show what arrived).
 * Stateless; safe from any thread.
 */
public final class Flags {
    /** No flags. */
    public static final int NONE = 0;
    /** 0x1: opens a stream; on a ping it marks a request. */
    public static final int SYN = 0x1;
    /** 0x2: accepts a stream; on a ping it marks a reply. */
    public static final int ACK = 0x2;
    /** 0x4: half-closes the sender's direction of a stream. */
    public static final int FIN = 0x4;
    /** 0x8: resets a stream at once. */
    public static final int RST = 0x8;
    /** The bits that have a meaning; everything else is ignored. */
    public static final int KNOWN = SYN | ACK | FIN | RST;

    private Flags() {
    }

    /** Whether {@code flags} has every bit of {@code flag} set. */
    public static boolean has(int flags, int flag) {
        return (flags & flag) == flag;
    }

    /**
     * A readable form such as {@code "SYN|FIN"}, {@code "0"} for none, unknown bits appended in hex
     * ({@code "ACK|0x100"}).
     */
    public static String toString(int flags) {
        if (flags == 0) {
            return "0";
        }
        StringBuilder text = new StringBuilder();
        append(text, flags, SYN, "SYN");
        append(text, flags, ACK, "ACK");
        append(text, flags, FIN, "FIN");
        append(text, flags, RST, "RST");
        int unknown = flags & ~KNOWN & 0xFFFF;
        if (unknown != 0) {
            if (!text.isEmpty()) {
                text.append('|');
            }
            text.append("0x").append(Integer.toHexString(unknown));
        }
        return text.toString();
    }

    private static void append(StringBuilder text, int flags, int flag, String name) {
        if ((flags & flag) != 0) {
            if (!text.isEmpty()) {
                text.append('|');
            }
            text.append(name);
        }
    }
}

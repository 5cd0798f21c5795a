package io.weft.yamux.frame;

import java.nio.ByteBuffer;

/**
 * One 12-byte yamux frame header, and the pure codec for it (spec.md "Framing").
 *
 * <pre>
 *  0        1        2                 4                                   8                                  12
 * +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 * |version |  type  |      flags      |             stream id             |               length              |
 * +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 *   always 0   0..3    SYN ACK FIN RST            big-endian u32                      big-endian u32
 * </pre>
 *
 * <p>The stream id is an unsigned 32-bit value kept in an {@code int} (ids above 2^31-1 are
 * negative as Java ints; use {@link Integer#toUnsignedLong}). The length is an unsigned 32-bit
 * value kept in a {@code long}: payload bytes for {@link FrameType#DATA}, a credit delta or reset
 * code for {@link FrameType#WINDOW_UPDATE}, the opaque value for {@link FrameType#PING}, the code
 * for {@link FrameType#GO_AWAY}. The codec does not judge the length; only the session knows the
 * window. Flags may hold any 16-bit value, unknown bits included.
 *
 * <p>Besides the record, static methods encode into and read fields from a caller's byte array
 * without allocating, for the session's hot paths. Immutable and stateless; safe from any thread.
 *
 * @param type the frame type
 * @param flags the 16-bit flags value, 0 to 0xFFFF
 * @param streamId the stream id (unsigned), 0 for the session
 * @param length the length field, 0 to 2^32-1
 */
public record FrameHeader(FrameType type, int flags, int streamId, long length) {
    /** Size of an encoded header in bytes. */
    public static final int SIZE = 12;
    /** The only protocol version. */
    public static final int VERSION = 0;
    /** Largest value of the length field, 2^32-1. */
    public static final long MAX_LENGTH = 0xFFFF_FFFFL;
    /** Every stream's initial window in each direction, 256 KiB, before any window update. */
    public static final int INITIAL_STREAM_WINDOW = 256 * 1024;

    /**
     * Checks the fields.
     *
     * @throws NullPointerException if {@code type} is null
     * @throws IllegalArgumentException if flags or length are out of range
     */
    public FrameHeader {
        if (type == null) {
            throw new NullPointerException("type");
        }
        if ((flags & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("flags must fit in 16 bits: 0x" + Integer.toHexString(flags));
        }
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("length must be 0 to 2^32-1: " + length);
        }
    }

    /** A data frame header announcing {@code payloadBytes} bytes of payload. */
    public static FrameHeader data(int streamId, int flags, long payloadBytes) {
        return new FrameHeader(FrameType.DATA, flags, streamId, payloadBytes);
    }

    /** A window update header granting {@code deltaBytes} more credit (or carrying a reset code with RST). */
    public static FrameHeader windowUpdate(int streamId, int flags, long deltaBytes) {
        return new FrameHeader(FrameType.WINDOW_UPDATE, flags, streamId, deltaBytes);
    }

    /** A ping on stream 0: {@link Flags#SYN} for a request, {@link Flags#ACK} for the reply. */
    public static FrameHeader ping(int flags, int opaque) {
        return new FrameHeader(FrameType.PING, flags, 0, Integer.toUnsignedLong(opaque));
    }

    /** A GoAway on stream 0 with the given code (see {@link GoAwayCodes}). */
    public static FrameHeader goAway(int code) {
        return new FrameHeader(FrameType.GO_AWAY, Flags.NONE, 0, Integer.toUnsignedLong(code));
    }

    /** Whether every bit of {@code flag} is set. */
    public boolean has(int flag) {
        return Flags.has(flags, flag);
    }

    /** The stream id as a non-negative long. */
    public long streamIdUnsigned() {
        return Integer.toUnsignedLong(streamId);
    }

    /** Writes the 12 header bytes at {@code dst}'s position (big-endian whatever its order) and advances it. */
    public void encode(ByteBuffer dst) {
        byte[] bytes = new byte[SIZE];
        encode(bytes, 0);
        dst.put(bytes);
    }

    /** Writes the 12 header bytes into {@code dst} at {@code offset}. */
    public void encode(byte[] dst, int offset) {
        encode(dst, offset, type, flags, streamId, length);
    }

    /** The encoded 12 bytes. */
    public byte[] toBytes() {
        byte[] bytes = new byte[SIZE];
        encode(bytes, 0);
        return bytes;
    }

    /**
     * Writes a header into {@code dst} at {@code offset} without allocating.
     *
     * @param length the unsigned length field; only the low 32 bits are written
     */
    public static void encode(byte[] dst, int offset, FrameType type, int flags, int streamId, long length) {
        dst[offset] = VERSION;
        dst[offset + 1] = (byte) type.code();
        dst[offset + 2] = (byte) (flags >>> 8);
        dst[offset + 3] = (byte) flags;
        putInt(dst, offset + 4, streamId);
        putInt(dst, offset + 8, (int) length);
    }

    /**
     * Reads a header from the next 12 bytes of {@code src}, advancing its position.
     *
     * @throws MalformedFrameException if the version is not 0 or the type is unknown; the
     *     buffer's position is then still advanced past the 12 bytes
     * @throws java.nio.BufferUnderflowException if fewer than 12 bytes remain (nothing consumed)
     */
    public static FrameHeader decode(ByteBuffer src) throws MalformedFrameException {
        if (src.remaining() < SIZE) {
            throw new java.nio.BufferUnderflowException();
        }
        byte[] bytes = new byte[SIZE];
        src.get(bytes);
        return decode(bytes, 0);
    }

    /**
     * Reads a header from {@code src} at {@code offset}.
     *
     * @throws MalformedFrameException if the version is not 0 or the type is unknown
     */
    public static FrameHeader decode(byte[] src, int offset) throws MalformedFrameException {
        FrameType type = checkedType(src, offset);
        return new FrameHeader(type, flagsAt(src, offset), streamIdAt(src, offset), lengthAt(src, offset));
    }

    /**
     * Validates the version and type bytes of the header at {@code offset} and returns the type.
     *
     * @throws MalformedFrameException if the version is not 0 or the type is unknown
     */
    public static FrameType checkedType(byte[] src, int offset) throws MalformedFrameException {
        int version = src[offset] & 0xFF;
        if (version != VERSION) {
            throw new MalformedFrameException("unsupported yamux version " + version);
        }
        int code = src[offset + 1] & 0xFF;
        FrameType type = FrameType.fromCode(code);
        if (type == null) {
            throw new MalformedFrameException("unknown yamux frame type " + code);
        }
        return type;
    }

    /** The 16-bit flags field of the header at {@code offset}. */
    public static int flagsAt(byte[] src, int offset) {
        return ((src[offset + 2] & 0xFF) << 8) | (src[offset + 3] & 0xFF);
    }

    /** The stream id field (unsigned, in an int) of the header at {@code offset}. */
    public static int streamIdAt(byte[] src, int offset) {
        return getInt(src, offset + 4);
    }

    /** The length field, 0 to 2^32-1, of the header at {@code offset}. */
    public static long lengthAt(byte[] src, int offset) {
        return Integer.toUnsignedLong(getInt(src, offset + 8));
    }

    /** A log form such as {@code "DATA stream=3 flags=SYN|FIN length=1024"}. */
    @Override
    public String toString() {
        return type + " stream=" + Integer.toUnsignedString(streamId) + " flags=" + Flags.toString(flags)
                + " length=" + length;
    }

    private static void putInt(byte[] dst, int offset, int value) {
        dst[offset] = (byte) (value >>> 24);
        dst[offset + 1] = (byte) (value >>> 16);
        dst[offset + 2] = (byte) (value >>> 8);
        dst[offset + 3] = (byte) value;
    }

    private static int getInt(byte[] src, int offset) {
        return ((src[offset] & 0xFF) << 24) | ((src[offset + 1] & 0xFF) << 16) | ((src[offset + 2] & 0xFF) << 8)
                | (src[offset + 3] & 0xFF);
    }
}

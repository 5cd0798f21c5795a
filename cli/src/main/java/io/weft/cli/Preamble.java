package io.weft.cli;

import java.nio.ByteBuffer;

/**
 * The Weft stream preamble, version 1 (spec: {@code docs/preamble.md}): how an entry started with
 * {@code --forward} or {@code --socks} names each stream's destination, and how a dynamic exit
 * ({@code --allow}) answers. Pure codec: no threads, no I/O; stateless.
 *
 * <pre>
 * request (entry to exit):  F7 57 46 01 | CMD 01 (connect) | ATYP | address | port (2, big-endian)
 * reply (exit to entry):    F7 57 46 01 | STATUS
 * </pre>
 *
 * <p>The address is RFC 1928's ({@link Destination#encode}). The magic {@code F7 'W' 'F'} starts
 * with a byte no text protocol sends first, so an exit that expects a preamble and gets the first
 * bytes of a plain stream (or an entry that gets a plain target's bytes as the reply) knows at the
 * first byte, and says which flags to change.
 */
final class Preamble {

    /** The magic bytes that start every request and reply. */
    static final byte[] MAGIC = {(byte) 0xF7, 'W', 'F'};
    static final int VERSION = 1;
    static final int CMD_CONNECT = 1;

    /** Bytes in a reply. */
    static final int REPLY_BYTES = MAGIC.length + 2;

    /** The most bytes a request has: magic, version, command, the longest address. */
    static final int MAX_REQUEST_BYTES = MAGIC.length + 2 + Destination.MAX_ENCODED_BYTES;

    /** What the exit did with a request; the code is the reply's STATUS byte. */
    enum Status {
        /** Connected; the stream now carries the connection's bytes. SOCKS5 reply 0. */
        OK(0, "connected", 0x00),
        /** No {@code --allow} pattern matches. SOCKS5 reply 2. */
        NOT_ALLOWED(1, "not allowed by the exit's --allow patterns", 0x02),
        /** The exit could not resolve the name. SOCKS5 reply 4. */
        DNS_FAILURE(2, "the exit cannot resolve the name", 0x04),
        /** The destination refused the connection. SOCKS5 reply 5. */
        REFUSED(3, "connection refused", 0x05),
        /** No route to the destination. SOCKS5 reply 3. */
        UNREACHABLE(4, "unreachable from the exit", 0x03),
        /** The dial timed out. SOCKS5 reply 4 (host unreachable). */
        TIMEOUT(5, "connection timed out", 0x04),
        /** Any other failure, and a status this version does not know. SOCKS5 reply 1. */
        FAILURE(6, "the exit failed to connect", 0x01),
        /** The exit does not support the request's command or address type. SOCKS5 reply 7. */
        UNSUPPORTED(7, "request not supported by the exit", 0x07);

        private final int code;
        private final String description;
        private final int socksReply;

        Status(int code, String description, int socksReply) {
            this.code = code;
            this.description = description;
            this.socksReply = socksReply;
        }

        /** The STATUS byte. */
        int code() {
            return code;
        }

        /** For log lines: {@code "not allowed by the exit's --allow patterns"}. */
        String description() {
            return description;
        }

        /** The RFC 1928 REP code an entry answers a SOCKS5 client with. */
        int socksReply() {
            return socksReply;
        }

        /** The status for a STATUS byte; {@link #FAILURE} for one this version does not know. */
        static Status of(int code) {
            for (Status s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            return FAILURE;
        }
    }

    private Preamble() {}

    /** The request naming {@code destination}. */
    static byte[] request(Destination destination) {
        ByteBuffer out = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        out.put(MAGIC).put((byte) VERSION).put((byte) CMD_CONNECT);
        destination.encode(out);
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    /** The reply carrying {@code status}. */
    static byte[] reply(Status status) {
        return new byte[] {MAGIC[0], MAGIC[1], MAGIC[2], (byte) VERSION, (byte) status.code()};
    }

    /**
     * Decodes a request from {@code in}: the destination, or {@code null} (position unchanged)
     * when more bytes are needed. A wrong magic fails at its first wrong byte.
     *
     * @throws PreambleException not a preamble, another version, or a bad request
     */
    static Destination decodeRequest(ByteBuffer in) throws PreambleException {
        int start = in.position();
        if (!checkHeader(in, "stream")) {
            return null;
        }
        if (in.remaining() < MAGIC.length + 2) {
            return null;
        }
        int command = in.get(start + MAGIC.length + 1) & 0xff;
        if (command != CMD_CONNECT) {
            throw new PreambleException("unsupported preamble command " + command, Status.UNSUPPORTED);
        }
        try {
            return Destination.decodeAfter(in, start, MAGIC.length + 2);
        } catch (Destination.BadAddressException e) {
            throw new PreambleException("bad preamble destination: " + e.getMessage(),
                    e.unsupportedType() ? Status.UNSUPPORTED : Status.FAILURE);
        }
    }

    /**
     * Decodes a reply from {@code in}: its status, or {@code null} (position unchanged) when more
     * bytes are needed.
     *
     * @throws PreambleException not a preamble reply (a plain exit's target answered), or another version
     */
    static Status decodeReply(ByteBuffer in) throws PreambleException {
        if (!checkHeader(in, "reply")) {
            return null;
        }
        if (in.remaining() < REPLY_BYTES) {
            return null;
        }
        in.position(in.position() + MAGIC.length + 1);
        return Status.of(in.get() & 0xff);
    }

    /** Checks magic and version as far as they have arrived; {@code true} when all of them have. */
    private static boolean checkHeader(ByteBuffer in, String what) throws PreambleException {
        int start = in.position();
        int available = Math.min(in.remaining(), MAGIC.length + 1);
        for (int i = 0; i < Math.min(available, MAGIC.length); i++) {
            if (in.get(start + i) != MAGIC[i]) {
                int shown = Math.min(in.remaining(), 16);
                byte[] head = new byte[shown];
                in.get(start, head);
                throw new PreambleException.NotAPreamble("no Weft preamble (the " + what + " starts with \""
                        + Printable.of(head, 0, shown) + "\")");
            }
        }
        if (available <= MAGIC.length) {
            return false;
        }
        int version = in.get(start + MAGIC.length) & 0xff;
        if (version != VERSION) {
            throw new PreambleException("Weft preamble version " + version + " (this weft speaks version "
                    + VERSION + "; upgrade the older side)", Status.UNSUPPORTED);
        }
        return true;
    }
}

package io.weft.cli;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * SOCKS5 messages (RFC 1928, CONNECT only) and username/password authentication (RFC 1929).
 * Pure codec: every {@code decode…} method takes what has arrived, returns {@code null} with the
 * buffer's position unchanged when more bytes are needed, and never allocates more than the
 * 255 bytes a length byte can ask for. Stateless.
 */
final class Socks5 {

    static final int VERSION = 5;
    static final int AUTH_VERSION = 1;

    static final int METHOD_NO_AUTH = 0x00;
    static final int METHOD_USER_PASS = 0x02;
    static final int METHOD_NONE_ACCEPTABLE = 0xFF;

    static final int CMD_CONNECT = 1;

    static final int REP_SUCCEEDED = 0x00;
    static final int REP_GENERAL_FAILURE = 0x01;
    static final int REP_NOT_ALLOWED = 0x02;
    static final int REP_COMMAND_NOT_SUPPORTED = 0x07;
    static final int REP_ADDRESS_TYPE_NOT_SUPPORTED = 0x08;

    /** The longest message a client sends: an RFC 1929 request with a 255-byte name and password. */
    static final int MAX_MESSAGE_BYTES = 3 + 2 * 255;

    /** The client's first message: the authentication methods it offers. */
    record Greeting(byte[] methods) {
        /** Whether the client offers {@code method}. */
        boolean offers(int method) {
            for (byte m : methods) {
                if ((m & 0xff) == method) {
                    return true;
                }
            }
            return false;
        }
    }

    /** RFC 1929 credentials. {@link #toString} never shows them. */
    record Credentials(byte[] username, byte[] password) {
        @Override
        public String toString() {
            return "Credentials[hidden]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Credentials c && Arrays.equals(username, c.username) && Arrays.equals(password, c.password);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(username);
        }
    }

    private Socks5() {}

    /**
     * VER, NMETHODS, METHODS.
     *
     * @throws Socks5Exception not version 5 (no reply is due: the client does not speak SOCKS5),
     *     or no methods
     */
    static Greeting decodeGreeting(ByteBuffer in) throws Socks5Exception {
        int start = in.position();
        if (in.remaining() < 1) {
            return null;
        }
        checkVersion(in.get(start));
        if (in.remaining() < 2) {
            return null;
        }
        int count = in.get(start + 1) & 0xff;
        if (count == 0) {
            throw new Socks5Exception("SOCKS5 greeting offers no authentication method", Socks5Exception.NO_REPLY);
        }
        if (in.remaining() < 2 + count) {
            return null;
        }
        byte[] methods = new byte[count];
        in.position(start + 2);
        in.get(methods);
        return new Greeting(methods);
    }

    /** VER, METHOD: the server's choice ({@link #METHOD_NONE_ACCEPTABLE} when none fits). */
    static byte[] methodSelection(int method) {
        return new byte[] {VERSION, (byte) method};
    }

    /**
     * RFC 1929: VER 1, ULEN, UNAME, PLEN, PASSWD.
     *
     * @throws Socks5Exception wrong sub-negotiation version or an empty name
     */
    static Credentials decodeCredentials(ByteBuffer in) throws Socks5Exception {
        int start = in.position();
        if (in.remaining() < 1) {
            return null;
        }
        if ((in.get(start) & 0xff) != AUTH_VERSION) {
            throw new Socks5Exception("username/password version " + (in.get(start) & 0xff) + ", expected 1",
                    Socks5Exception.NO_REPLY);
        }
        if (in.remaining() < 2) {
            return null;
        }
        int userBytes = in.get(start + 1) & 0xff;
        if (in.remaining() < 2 + userBytes + 1) {
            return null;
        }
        int passwordBytes = in.get(start + 2 + userBytes) & 0xff;
        if (in.remaining() < 3 + userBytes + passwordBytes) {
            return null;
        }
        byte[] user = new byte[userBytes];
        byte[] password = new byte[passwordBytes];
        in.position(start + 2);
        in.get(user);
        in.get();
        in.get(password);
        return new Credentials(user, password);
    }

    /** VER 1, STATUS: 0 success, 1 failure. */
    static byte[] authReply(boolean success) {
        return new byte[] {AUTH_VERSION, (byte) (success ? 0 : 1)};
    }

    /**
     * VER, CMD, RSV, ATYP, DST.ADDR, DST.PORT.
     *
     * @throws Socks5Exception wrong version; a command other than CONNECT (reply 7); an unknown
     *     address type (reply 8); a bad name (reply 1)
     */
    static Destination decodeRequest(ByteBuffer in) throws Socks5Exception {
        int start = in.position();
        if (in.remaining() < 1) {
            return null;
        }
        checkVersion(in.get(start));
        if (in.remaining() < 3) {
            return null;
        }
        int command = in.get(start + 1) & 0xff;
        if (command != CMD_CONNECT) {
            String name = switch (command) {
                case 2 -> "BIND";
                case 3 -> "UDP ASSOCIATE";
                default -> "command " + command;
            };
            throw new Socks5Exception("SOCKS5 " + name + " is not supported (CONNECT only)", REP_COMMAND_NOT_SUPPORTED);
        }
        try {
            return Destination.decodeAfter(in, start, 3);
        } catch (Destination.BadAddressException e) {
            throw new Socks5Exception("SOCKS5 request: " + e.getMessage(),
                    e.unsupportedType() ? REP_ADDRESS_TYPE_NOT_SUPPORTED : REP_GENERAL_FAILURE);
        }
    }

    /** VER, REP, RSV, ATYP 1, BND.ADDR 0.0.0.0, BND.PORT 0 (the exit's own address stays its own). */
    static byte[] reply(int code) {
        return new byte[] {VERSION, (byte) code, 0, Destination.ATYP_IPV4, 0, 0, 0, 0, 0, 0};
    }

    private static void checkVersion(byte first) throws Socks5Exception {
        int v = first & 0xff;
        if (v == VERSION) {
            return;
        }
        String hint = v == 4 ? " (a SOCKS4 client? use socks5 or socks5h)"
                : v >= 'A' && v <= 'Z' ? " (an HTTP request? this port speaks SOCKS5)" : "";
        throw new Socks5Exception("not a SOCKS5 client: first byte 0x" + String.format("%02x", v) + hint,
                Socks5Exception.NO_REPLY);
    }
}

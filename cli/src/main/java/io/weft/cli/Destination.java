package io.weft.cli;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Where a dynamic stream goes: a host name or an IP address, and a TCP port. Immutable.
 *
 * <p>The wire form is RFC 1928 §5's, shared by the SOCKS5 request and the Weft stream preamble
 * ({@code docs/preamble.md}): {@code ATYP} (1 IPv4, 3 domain name, 4 IPv6), the address (4 bytes,
 * a length byte then 1-255 name bytes, or 16 bytes) and the port (2 bytes, big-endian).
 *
 * @param host a host name (ASCII letters, digits, '.', '-', '_'; at most 255 bytes) or an IP
 *     address literal (IPv6 without brackets)
 * @param port 0-65535
 */
record Destination(String host, int port) {

    static final int ATYP_IPV4 = 1;
    static final int ATYP_DOMAIN = 3;
    static final int ATYP_IPV6 = 4;

    /** The most bytes a name may have: the wire gives it one length byte. */
    static final int MAX_NAME_BYTES = 255;

    /** The most bytes {@link #encode} writes: ATYP, length, 255 name bytes, port. */
    static final int MAX_ENCODED_BYTES = 1 + 1 + MAX_NAME_BYTES + 2;

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    Destination {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        }
        String why = hostProblem(host);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }

    /** What is wrong with {@code host} as a destination host, or {@code null}. */
    static String hostProblem(String host) {
        if (host == null || host.isEmpty()) {
            return "empty host";
        }
        if (host.length() > MAX_NAME_BYTES) {
            return "host name longer than " + MAX_NAME_BYTES + " bytes";
        }
        if (host.contains(":")) {
            return IPV6_CHARS.matcher(host).matches() && parseIpv6(host) != null ? null : "bad IPv6 address '" + host + "'";
        }
        if (IPV4.matcher(host).matches()) {
            return parseIpv4(host) != null ? null : "bad IPv4 address '" + host + "'";
        }
        return NAME.matcher(host).matches() ? null : "bad host name '" + Printable.of(host) + "'";
    }

    /** The address when {@link #host} is an IP literal; {@code null} for a name (never a DNS lookup). */
    InetAddress literal() {
        if (host.contains(":")) {
            return parseIpv6(host);
        }
        return IPV4.matcher(host).matches() ? parseIpv4(host) : null;
    }

    /** The host name lower-cased without a trailing dot, for matching; only for names. */
    String normalizedName() {
        String h = host.toLowerCase(java.util.Locale.ROOT);
        return h.endsWith(".") && h.length() > 1 ? h.substring(0, h.length() - 1) : h;
    }

    /** Writes ATYP, address and port to {@code out} (at most {@link #MAX_ENCODED_BYTES}). */
    void encode(ByteBuffer out) {
        InetAddress address = literal();
        if (address instanceof Inet4Address) {
            out.put((byte) ATYP_IPV4).put(address.getAddress());
        } else if (address instanceof Inet6Address) {
            out.put((byte) ATYP_IPV6).put(address.getAddress());
        } else {
            byte[] name = host.getBytes(StandardCharsets.US_ASCII);
            out.put((byte) ATYP_DOMAIN).put((byte) name.length).put(name);
        }
        out.putShort((short) port);
    }

    /**
     * {@link #decode} of the destination that follows a message's {@code prefixBytes} at
     * {@code messageStart}: on {@code null} (not all there yet) or a bad address, {@code in}'s
     * position goes back to {@code messageStart}, so the caller reads the whole message again
     * once more bytes arrive; on success it is just past the destination.
     */
    static Destination decodeAfter(ByteBuffer in, int messageStart, int prefixBytes) throws BadAddressException {
        in.position(messageStart + prefixBytes);
        try {
            Destination d = decode(in);
            if (d == null) {
                in.position(messageStart);
            }
            return d;
        } catch (BadAddressException e) {
            in.position(messageStart);
            throw e;
        }
    }

    /**
     * Reads ATYP, address and port from {@code in}: the destination, or {@code null} (position
     * unchanged) when {@code in} does not hold all of it yet. Never allocates more than 255 bytes.
     *
     * @throws BadAddressException for an unknown ATYP ({@link BadAddressException#unsupportedType}),
     *     an empty name or one with bytes a host name cannot have
     */
    static Destination decode(ByteBuffer in) throws BadAddressException {
        int start = in.position();
        if (in.remaining() < 1) {
            return null;
        }
        int atyp = in.get(start) & 0xff;
        int addressBytes = switch (atyp) {
            case ATYP_IPV4 -> 4;
            case ATYP_IPV6 -> 16;
            case ATYP_DOMAIN -> in.remaining() < 2 ? -1 : 1 + (in.get(start + 1) & 0xff);
            default -> throw new BadAddressException("unsupported address type " + atyp, true);
        };
        if (addressBytes < 0 || in.remaining() < 1 + addressBytes + 2) {
            return null;
        }
        in.get(); // ATYP
        String host;
        if (atyp == ATYP_DOMAIN) {
            byte[] name = new byte[in.get() & 0xff];
            in.get(name);
            host = new String(name, StandardCharsets.ISO_8859_1);
            String why = name.length == 0 ? "empty host name" : hostProblem(host);
            if (why != null) {
                in.position(start);
                throw new BadAddressException(why, false);
            }
        } else {
            byte[] raw = new byte[addressBytes];
            in.get(raw);
            try {
                host = atyp == ATYP_IPV4 ? InetAddress.getByAddress(raw).getHostAddress()
                        : Address.compressIpv6(raw);
            } catch (UnknownHostException e) {
                throw new AssertionError(e); // 4 bytes always make an address
            }
        }
        int port = in.getShort() & 0xffff;
        return new Destination(host, port);
    }

    private static InetAddress parseIpv4(String text) {
        String[] parts = text.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v = Integer.parseInt(parts[i]);
            if (v > 255 || (parts[i].length() > 1 && parts[i].startsWith("0"))) {
                return null; // leading zeros: octal to some parsers; refuse the ambiguity
            }
            bytes[i] = (byte) v;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static InetAddress parseIpv6(String text) {
        if (!IPV6_CHARS.matcher(text).matches()) {
            return null;
        }
        try {
            // Only hex digits, ':' and '.': the JDK parses it as a literal, never a DNS lookup.
            return InetAddress.getByName("[" + text + "]");
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** {@code host:port}, {@code [v6]:port}. */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** An address the wire form cannot carry. */
    static final class BadAddressException extends java.net.ProtocolException {
        private static final long serialVersionUID = 1L;
        private final boolean unsupportedType;

        BadAddressException(String message, boolean unsupportedType) {
            super(message);
            this.unsupportedType = unsupportedType;
        }

        /** Whether the ATYP was unknown (SOCKS5 reply 8) rather than the address bad. */
        boolean unsupportedType() {
            return unsupportedType;
        }
    }
}

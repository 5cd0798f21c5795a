package io.weft.netpoll.spi;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/** Formats socket addresses the way Go prints them in errors ({@code 127.0.0.1:80}, {@code [::1]:80}, a path). */
public final class Addresses {
    private Addresses() {}

    /** Go's text for {@code address}: host:port with IPv6 in brackets, a path for unix, "" for none. */
    public static String format(SocketAddress address) {
        if (address == null) {
            return "";
        }
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            if (inet.getAddress() instanceof Inet6Address v6) {
                int zone = host.indexOf('%');
                String zoneText = zone < 0 || host.substring(zone + 1).matches("\\d+")
                        ? "" // a numeric scope id adds nothing for a reader
                        : host.substring(zone);
                host = "[" + ipv6(v6.getAddress()) + zoneText + "]";
            }
            return host + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            String path = unix.getPath().toString();
            return path.isEmpty() ? "@" : path;
        }
        return address.toString();
    }

    /**
     * RFC 5952 text for the 16 bytes of an IPv6 address, as Go's {@code netip.Addr.String}
     * prints it: lower-case hex without leading zeros, the longest run of two or more zero groups
     * (the first of equal runs) as {@code "::"}; {@code "::1"}, never {@code "0:0:0:0:0:0:0:1"}.
     */
    public static String ipv6(byte[] bytes) {
        if (bytes.length != 16) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + bytes.length);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int runStart = -1;
        int runLength = 1; // a single zero group stays "0" (RFC 5952 section 4.2.2)
        for (int i = 0; i < 8; ) {
            int end = i;
            while (end < 8 && groups[end] == 0) {
                end++;
            }
            if (end - i > runLength) {
                runStart = i;
                runLength = end - i;
            }
            i = Math.max(i + 1, end);
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == runStart) {
                text.append("::");
                i += runLength - 1;
            } else {
                if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                    text.append(':');
                }
                text.append(Integer.toHexString(groups[i]));
            }
        }
        return text.toString();
    }

    /**
     * What an error message says about a connection, Go style: {@code "tcp 127.0.0.1:5000->127.0.0.1:41234"};
     * only the known parts.
     */
    public static String describe(String network, SocketAddress local, SocketAddress remote) {
        StringBuilder text = new StringBuilder(network);
        String localText = format(local);
        String remoteText = format(remote);
        if (!localText.isEmpty() || !remoteText.isEmpty()) {
            text.append(' ').append(localText);
            if (!remoteText.isEmpty()) {
                text.append("->").append(remoteText);
            }
        }
        return text.toString();
    }
}

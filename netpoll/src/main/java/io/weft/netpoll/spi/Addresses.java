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
            int zone = host.indexOf('%');
            if (inet.getAddress() instanceof Inet6Address) {
                if (zone >= 0 && host.substring(zone + 1).matches("\\d+")) {
                    host = host.substring(0, zone); // a numeric scope id adds nothing for a reader
                }
                host = "[" + host + "]";
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

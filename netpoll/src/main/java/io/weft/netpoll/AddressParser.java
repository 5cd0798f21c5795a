package io.weft.netpoll;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses Go-style network names and addresses ({@code "tcp", "127.0.0.1:80"}) into socket
 * addresses. Pure apart from name resolution; any thread.
 */
final class AddressParser {
    private AddressParser() {}

    /** A host and port split out of "host:port"; host is "" when absent. */
    record HostPort(String host, int port) {}

    /** Checks the network name; returns it lower-cased. */
    static String network(String network) {
        if (network == null) {
            throw new IllegalArgumentException("network must not be null; want tcp, tcp4, tcp6 or unix");
        }
        String name = network.toLowerCase(Locale.ROOT);
        return switch (name) {
            case "tcp", "tcp4", "tcp6", "unix" -> name;
            default -> throw new IllegalArgumentException(
                    "unknown network \"" + network + "\"; want tcp, tcp4, tcp6 or unix");
        };
    }

    /**
     * Splits {@code "host:port"}, {@code ":port"} or {@code "[v6]:port"}. Also accepts the text of
     * {@link InetSocketAddress#toString()} ({@code "name/1.2.3.4:80"}), using the literal address.
     */
    static HostPort splitHostPort(String address) {
        if (address == null) {
            throw new IllegalArgumentException("address must not be null");
        }
        String text = address.strip();
        int slash = text.indexOf('/');
        if (slash >= 0 && !text.startsWith("[")) {
            text = text.substring(slash + 1); // InetSocketAddress.toString(): "host/literal:port"
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw bad(address, "missing ']' in address");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw bad(address, "missing port in address");
            }
            port = rest.substring(1);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw bad(address, "missing port in address");
            }
            if (text.indexOf(':') != colon) {
                throw bad(address, "too many colons in address (put an IPv6 host in brackets: [::1]:80)");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        return new HostPort(host, parsePort(address, port));
    }

    private static int parsePort(String address, String port) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(address, "invalid port \"" + port + "\"");
        }
        int value = Integer.parseInt(port);
        if (value > 65535) {
            throw bad(address, "invalid port \"" + port + "\"");
        }
        return value;
    }

    private static IllegalArgumentException bad(String address, String why) {
        return new IllegalArgumentException("address " + address + ": " + why);
    }

    /**
     * The address to listen on. Without a host: for {@code "tcp"} the IPv6 wildcard {@code ::}
     * when this machine has IPv6 (both backends then open one socket with {@code IPV6_V6ONLY}
     * off, which accepts IPv4 as v4-mapped addresses, as Go's {@code ":port"} does) and
     * {@code 0.0.0.0} otherwise; for {@code "tcp4"}/{@code "tcp6"} that family's wildcard.
     */
    static SocketAddress listenAddress(String network, String address) throws UnknownHostException {
        if (network.equals("unix")) {
            return unixAddress(address);
        }
        HostPort hostPort = splitHostPort(address);
        if (hostPort.host().isEmpty()) {
            return switch (network) {
                case "tcp4" -> new InetSocketAddress(InetAddress.getByAddress(new byte[4]), hostPort.port());
                case "tcp6" -> new InetSocketAddress(InetAddress.getByAddress(new byte[16]), hostPort.port());
                // Go's ":port": one socket on "::" that takes IPv4 too (v4-mapped), when IPv6 exists
                default -> new InetSocketAddress(InetAddress.getByAddress(new byte[Ipv6.AVAILABLE ? 16 : 4]), hostPort.port());
            };
        }
        return resolve(network, hostPort).getFirst();
    }

    /** The addresses to try in order when dialing; loopback when no host is given, as in Go. */
    static List<SocketAddress> dialAddresses(String network, String address) throws UnknownHostException {
        if (network.equals("unix")) {
            return List.of(unixAddress(address));
        }
        HostPort hostPort = splitHostPort(address);
        if (hostPort.host().isEmpty()) {
            String loopback = network.equals("tcp6") ? "::1" : "127.0.0.1";
            hostPort = new HostPort(loopback, hostPort.port());
        }
        return List.copyOf(resolve(network, hostPort));
    }

    private static List<InetSocketAddress> resolve(String network, HostPort hostPort) throws UnknownHostException {
        String host = hostPort.host();
        InetAddress[] candidates;
        try {
            candidates = InetAddress.getAllByName(host); // literals (with an IPv6 zone) parse without a lookup
        } catch (UnknownHostException e) {
            UnknownHostException goStyle = new UnknownHostException("lookup " + host + ": no such host");
            goStyle.initCause(e);
            throw goStyle;
        }
        List<InetSocketAddress> matching = new ArrayList<>();
        for (InetAddress candidate : candidates) {
            boolean fits = switch (network) {
                case "tcp4" -> candidate instanceof Inet4Address;
                case "tcp6" -> candidate instanceof Inet6Address;
                default -> true;
            };
            if (fits) {
                matching.add(new InetSocketAddress(candidate, hostPort.port()));
            }
        }
        if (matching.isEmpty()) {
            throw new UnknownHostException("no " + (network.equals("tcp4") ? "IPv4" : "IPv6") + " address for host " + host);
        }
        return matching;
    }

    /**
     * Whether this JVM can open IPv6 sockets, asked once: the JDK's own test (its answer is no
     * with {@code -Djava.net.preferIPv4Stack=true} or a kernel without IPv6), as Go's
     * {@code favoriteAddrFamily} asks the kernel.
     */
    private static final class Ipv6 {
        static final boolean AVAILABLE = probe();

        private static boolean probe() {
            try (var channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.INET6)) {
                return channel.isOpen();
            } catch (UnsupportedOperationException | java.io.IOException e) {
                return false;
            }
        }
    }

    private static UnixDomainSocketAddress unixAddress(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("unix address must be a socket file path, got \"" + path + "\"");
        }
        return UnixDomainSocketAddress.of(path);
    }
}

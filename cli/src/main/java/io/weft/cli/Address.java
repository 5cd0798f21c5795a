package io.weft.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A network address as the user typed it, split into netpoll's {@code (network, address)} pair.
 *
 * <p>Accepted forms: {@code host:port}, {@code :port} (all interfaces when listening, this
 * machine when dialing), a bare {@code port}, {@code [v6addr]:port}, and unix sockets as
 * {@code unix:PATH} or any path starting with {@code /}, {@code ./} or {@code ../}. Immutable.
 *
 * @param network "tcp" or "unix", as {@code Net.listen}/{@code Net.dial} take it
 * @param address "host:port" ({@code [v6]:port} for IPv6) or a file system path
 */
record Address(String network, String address) {

    /**
     * A TCP address from separate host and port arguments (stdio mode's {@code HOST PORT}). A bad
     * port is reported on its own ({@code invalid port '99999': ...}): the two arguments were
     * never one address the user typed.
     */
    static Address tcp(String host, String port) {
        String h = host == null ? "" : host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        String why = portProblem(port);
        if (why != null) {
            throw new IllegalArgumentException("invalid port '" + (port == null ? "" : port.strip()) + "': " + why);
        }
        int p = Integer.parseInt(port.strip());
        return new Address("tcp", (h.contains(":") ? "[" + h + "]" : h) + ":" + p);
    }

    /** A unix socket address. */
    static Address unix(String path) {
        if (path == null || path.isBlank()) {
            throw bad(path == null ? "" : path, "empty unix socket path");
        }
        return new Address("unix", path);
    }

    /**
     * Parses one of the accepted forms.
     *
     * @throws IllegalArgumentException with a one-line message naming the text and the syntax
     */
    static Address parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw bad(text, "empty");
        }
        if (s.startsWith("unix:")) {
            if (s.length() == "unix:".length()) {
                throw bad(text, "empty unix socket path");
            }
            return unix(s.substring("unix:".length()));
        }
        if (s.startsWith("/") || s.startsWith("./") || s.startsWith("../")) {
            return unix(s);
        }
        if (s.chars().allMatch(Character::isDigit)) {
            return new Address("tcp", ":" + parsePort(text, s));
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw bad(text, "expected [IPv6]:port");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
            if (host.isEmpty()) {
                throw bad(text, "empty IPv6 address");
            }
            return new Address("tcp", "[" + host + "]:" + parsePort(text, port));
        }
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw bad(text, "missing port; expected host:port, :port, [IPv6]:port or unix:PATH");
        }
        host = s.substring(0, colon);
        port = s.substring(colon + 1);
        if (host.contains(":")) {
            throw bad(text, "IPv6 addresses need brackets, e.g. [::1]:7000");
        }
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/' || c == '[' || c == ']')) {
            throw bad(text, "bad host name '" + host + "'");
        }
        return new Address("tcp", host + ":" + parsePort(text, port));
    }

    private static int parsePort(String text, String port) {
        String why = portProblem(port);
        if (why != null) {
            throw bad(text, "port '" + port.strip() + "' is " + why);
        }
        return Integer.parseInt(port.strip());
    }

    /** What is wrong with a port, or {@code null} when it is a number from 0 to 65535. */
    private static String portProblem(String port) {
        String p = port == null ? "" : port.strip();
        if (p.isEmpty() || !p.chars().allMatch(Character::isDigit) || p.length() > 5) {
            return "not a number from 0 to 65535";
        }
        return Integer.parseInt(p) > 65535 ? "out of range 0-65535" : null;
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("invalid address '" + text + "': " + why);
    }

    /** The address of a bound socket, e.g. a listener's, in the form {@link #parse} takes. */
    static Address of(java.net.SocketAddress socketAddress) {
        if (socketAddress instanceof java.net.InetSocketAddress inet) {
            String host = inet.getAddress() instanceof java.net.Inet6Address v6
                    ? compressIpv6(v6.getAddress())
                    : inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return new Address("tcp", (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort());
        }
        if (socketAddress instanceof java.net.UnixDomainSocketAddress unix) {
            return new Address("unix", unix.getPath().toString());
        }
        return new Address("tcp", String.valueOf(socketAddress));
    }

    /**
     * A socket address as log lines and messages print it, Go style: {@code 127.0.0.1:80},
     * {@code [::1]:8080}, a unix path; {@code "unix socket peer"} for a peer with no name (a
     * unix socket's client) or none known. Never the JDK's {@code /127.0.0.1:80} or
     * {@code [0:0:0:0:0:0:0:1]}.
     */
    static String text(java.net.SocketAddress socketAddress) {
        if (socketAddress == null || socketAddress instanceof java.net.UnixDomainSocketAddress unix
                && unix.getPath().toString().isEmpty()) {
            return "unix socket peer";
        }
        return of(socketAddress).toString();
    }

    /** RFC 5952 text for an IPv6 address: the longest run of two or more zero groups becomes "::". */
    static String compressIpv6(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /**
     * The host part of a TCP address without IPv6 brackets ({@code ""} for {@code :port}); the
     * path of a unix socket.
     */
    String host() {
        if (isUnix()) {
            return address;
        }
        String h = address.substring(0, address.lastIndexOf(':'));
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    /**
     * Whether only this machine can reach a listener here: a unix socket, or a TCP host that is
     * a loopback address or a name that resolves only to loopback addresses. {@code :port},
     * {@code 0.0.0.0} and {@code [::]} listen on every interface: not loopback. A name that does
     * not resolve is not loopback either.
     */
    boolean isLoopbackOnly() {
        if (isUnix()) {
            return true;
        }
        String h = host();
        if (h.isEmpty()) {
            return false;
        }
        try {
            java.net.InetAddress[] all = java.net.InetAddress.getAllByName(h);
            for (java.net.InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** Whether this is a unix socket. */
    boolean isUnix() {
        return network.equals("unix");
    }

    /**
     * The address to dial: an empty TCP host (":7000") becomes 127.0.0.1, as Go dials the local
     * system for it.
     */
    Address forDial() {
        if (!isUnix() && address.startsWith(":")) {
            return new Address(network, "127.0.0.1" + address);
        }
        return this;
    }

    @Override
    public String toString() {
        return isUnix() ? "unix:" + address : address;
    }

    /** picocli converter: a bad address is a usage error (exit 2) with one clear line. */
    static final class Converter implements ITypeConverter<Address> {
        @Override
        public Address convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}

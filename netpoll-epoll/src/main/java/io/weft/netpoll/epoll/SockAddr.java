package io.weft.netpoll.epoll;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes {@code sockaddr_in}, {@code sockaddr_in6} and {@code sockaddr_un} in a
 * {@code sockaddr_storage}-sized segment.
 *
 * <p>The segments are heap {@code long[]} arrays (8-byte aligned) passed to critical downcalls, so
 * an address costs no native allocation. Ports are big-endian, families and scope ids are in
 * native order. A unix path that starts with {@code '@'} names a Linux abstract socket, as in Go.
 * Stateless; any thread (each caller owns its segment).
 */
final class SockAddr {
    /** {@code sizeof(struct sockaddr_storage)}. */
    static final int STORAGE_BYTES = 128;
    /** {@code sizeof(sun_path)} in {@code struct sockaddr_un}. */
    static final int UNIX_PATH_BYTES = 108;

    private static final ValueLayout.OfShort PORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int SOCKADDR_IN_BYTES = 16;
    private static final int SOCKADDR_IN6_BYTES = 28;
    private static final int PATH_OFFSET = 2;
    private static final Charset PATH_CHARSET = pathCharset();

    private SockAddr() {}

    /** A zeroed, 8-byte-aligned heap segment that can hold any socket address. */
    static MemorySegment allocate() {
        return MemorySegment.ofArray(new long[STORAGE_BYTES / Long.BYTES]);
    }

    /** The address family for {@code address}: {@code AF_INET}, {@code AF_INET6} or {@code AF_UNIX}. */
    static int family(SocketAddress address) {
        return switch (address) {
            case UnixDomainSocketAddress unix -> LibC.AF_UNIX;
            case InetSocketAddress inet when inet.getAddress() instanceof Inet4Address -> LibC.AF_INET;
            case InetSocketAddress inet -> LibC.AF_INET6;
            default -> throw new IllegalArgumentException("unsupported address type: " + address.getClass().getName());
        };
    }

    /**
     * Writes {@code address} for a socket of {@code socketFamily} into {@code dst} and returns
     * its length. An IPv4 address for an {@code AF_INET6} socket is written v4-mapped.
     *
     * @throws SocketException if the address is unresolved, or a unix path is too long
     */
    static int encode(SocketAddress address, int socketFamily, MemorySegment dst) throws SocketException {
        dst.fill((byte) 0);
        if (address instanceof UnixDomainSocketAddress unix) {
            byte[] path = unixPathBytes(unix);
            dst.set(JAVA_SHORT, 0, (short) LibC.AF_UNIX);
            MemorySegment.copy(path, 0, dst, JAVA_BYTE, PATH_OFFSET, path.length);
            boolean abstractName = path.length > 0 && path[0] == 0;
            // A filesystem path carries its terminating NUL; an abstract name is length-delimited.
            return PATH_OFFSET + path.length + (abstractName ? 0 : 1);
        }
        InetSocketAddress inet = (InetSocketAddress) address;
        InetAddress ip = inet.getAddress();
        if (ip == null) {
            throw new SocketException("unresolved address " + inet.getHostString() + ":" + inet.getPort());
        }
        byte[] ipBytes = ip.getAddress();
        if (socketFamily == LibC.AF_INET) {
            if (ipBytes.length != 4) {
                throw new SocketException("IPv6 address " + ip.getHostAddress() + " on an IPv4 socket");
            }
            dst.set(JAVA_SHORT, 0, (short) LibC.AF_INET);
            dst.set(PORT, 2, (short) inet.getPort());
            MemorySegment.copy(ipBytes, 0, dst, JAVA_BYTE, 4, 4);
            return SOCKADDR_IN_BYTES;
        }
        dst.set(JAVA_SHORT, 0, (short) LibC.AF_INET6);
        dst.set(PORT, 2, (short) inet.getPort());
        if (ipBytes.length == 4) {
            dst.set(JAVA_BYTE, 18, (byte) 0xff);
            dst.set(JAVA_BYTE, 19, (byte) 0xff);
            MemorySegment.copy(ipBytes, 0, dst, JAVA_BYTE, 20, 4);
        } else {
            MemorySegment.copy(ipBytes, 0, dst, JAVA_BYTE, 8, 16);
            dst.set(JAVA_INT, 24, ((Inet6Address) ip).getScopeId());
        }
        return SOCKADDR_IN6_BYTES;
    }

    /**
     * Reads the address of {@code length} bytes in {@code src}. A v4-mapped IPv6 address comes back
     * as an IPv4 one; an unnamed unix socket as the empty path.
     *
     * @throws SocketException if the family is not one of the three supported
     */
    static SocketAddress decode(MemorySegment src, int length) throws SocketException {
        int family = length < 2 ? LibC.AF_UNIX : src.get(JAVA_SHORT, 0);
        try {
            switch (family) {
                case LibC.AF_INET -> {
                    byte[] ip = src.asSlice(4, 4).toArray(JAVA_BYTE);
                    return new InetSocketAddress(InetAddress.getByAddress(ip), Short.toUnsignedInt(src.get(PORT, 2)));
                }
                case LibC.AF_INET6 -> {
                    byte[] ip = src.asSlice(8, 16).toArray(JAVA_BYTE);
                    int scopeId = src.get(JAVA_INT, 24);
                    int port = Short.toUnsignedInt(src.get(PORT, 2));
                    InetAddress address = InetAddress.getByAddress(ip); // v4-mapped comes back as Inet4Address
                    if (scopeId != 0 && address instanceof Inet6Address) {
                        address = Inet6Address.getByAddress(null, ip, scopeId);
                    }
                    return new InetSocketAddress(address, port);
                }
                case LibC.AF_UNIX -> {
                    return UnixDomainSocketAddress.of(unixPath(src, length));
                }
                default -> throw new SocketException("unsupported address family " + family);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4- or 16-byte address is always valid", e);
        }
    }

    private static byte[] unixPathBytes(UnixDomainSocketAddress unix) throws SocketException {
        String path = unix.getPath().toString();
        byte[] bytes;
        if (path.startsWith("@")) {
            byte[] name = path.substring(1).getBytes(PATH_CHARSET);
            bytes = new byte[name.length + 1]; // leading NUL marks the abstract namespace
            System.arraycopy(name, 0, bytes, 1, name.length);
        } else {
            bytes = path.getBytes(PATH_CHARSET);
        }
        int limit = bytes.length > 0 && bytes[0] == 0 ? UNIX_PATH_BYTES : UNIX_PATH_BYTES - 1;
        if (bytes.length > limit) {
            throw new SocketException("unix socket path too long (" + bytes.length + " bytes, at most "
                    + limit + "): " + path);
        }
        return bytes;
    }

    private static String unixPath(MemorySegment src, int length) {
        int pathBytes = Math.max(0, Math.min(length, PATH_OFFSET + UNIX_PATH_BYTES) - PATH_OFFSET);
        if (pathBytes == 0) {
            return "";
        }
        byte[] raw = src.asSlice(PATH_OFFSET, pathBytes).toArray(JAVA_BYTE);
        if (raw[0] == 0) {
            return "@" + new String(raw, 1, raw.length - 1, PATH_CHARSET);
        }
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
            end++;
        }
        return new String(raw, 0, end, PATH_CHARSET);
    }

    private static Charset pathCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** Reads a socket's local ({@code peer == false}) or remote address; fails with a typed error. */
    static SocketAddress query(int fd, boolean peer) throws IOException {
        MemorySegment sockaddr = allocate();
        int[] length = {STORAGE_BYTES};
        MemorySegment lengthSegment = MemorySegment.ofArray(length);
        int result = peer
                ? LibC.getpeername(fd, sockaddr, lengthSegment)
                : LibC.getsockname(fd, sockaddr, lengthSegment);
        if (result < 0) {
            throw Errno.exception(peer ? "getpeername" : "getsockname", "fd " + fd, -result);
        }
        return decode(sockaddr, length[0]);
    }
}

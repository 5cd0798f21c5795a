package io.weft.netpoll.epoll;

import io.weft.netpoll.spi.Addresses;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;

/**
 * Socket set-up calls with typed errors, on top of {@link LibC}.
 *
 * <p>These are the calls whose failure is an error, so they throw; the hot-path calls whose
 * failure is an expected outcome (EAGAIN on read, write and accept, EINPROGRESS on connect) stay
 * in {@link LibC} and return {@code -errno}. Every socket is created non-blocking and
 * close-on-exec in one call. Stateless; any thread.
 */
final class Sockets {
    private Sockets() {}

    /** A new non-blocking, close-on-exec stream socket of {@code family}. */
    static int open(int family) throws IOException {
        int fd = LibC.socket(family, LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errno.exception("socket", familyName(family), -fd);
        }
        return fd;
    }

    /**
     * Binds {@code fd} (a socket of {@code family}) to {@code address}; errors read {@code "listen
     * <network> <address>: ..."} as in Go.
     */
    static void bind(int fd, int family, SocketAddress address, String network) throws IOException {
        MemorySegment sockaddr = SockAddr.allocate();
        int length = SockAddr.encode(address, family, sockaddr);
        int result = LibC.bind(fd, sockaddr, length);
        if (result < 0) {
            throw Errno.exception("listen", network + " " + Addresses.format(address), -result);
        }
    }

    /** Marks {@code fd} as listening with the given accept-queue length. */
    static void listen(int fd, int backlog, SocketAddress address, String network) throws IOException {
        int result = LibC.listen(fd, backlog);
        if (result < 0) {
            throw Errno.exception("listen", network + " " + Addresses.format(address), -result);
        }
    }

    /**
     * Starts connecting {@code fd} to {@code address}: {@code true} when already connected (unix
     * sockets, usually), {@code false} when the handshake is in progress (wait for writable, then
     * check {@link #soError}).
     */
    static boolean startConnect(int fd, int family, SocketAddress address, String network) throws IOException {
        MemorySegment sockaddr = SockAddr.allocate();
        int length = SockAddr.encode(address, family, sockaddr);
        int result = LibC.connect(fd, sockaddr, length);
        if (result >= 0) {
            return true;
        }
        if (result == -Errno.EINPROGRESS || result == -Errno.EALREADY) {
            return false;
        }
        // For a unix socket EAGAIN means the listener's backlog is full; Go reports that as a failure too.
        throw Errno.exception("dial", network + " " + Addresses.format(address), -result);
    }

    /** The pending error of {@code fd} ({@code SO_ERROR}), 0 when none; reading it clears it. */
    static int soError(int fd) throws IOException {
        return getInt(fd, LibC.SOL_SOCKET, LibC.SO_ERROR, "SO_ERROR");
    }

    /** Sets an {@code int} socket option. */
    static void setInt(int fd, int level, int option, int value, String optionName) throws IOException {
        int result = LibC.setsockopt(fd, level, option, MemorySegment.ofArray(new int[] {value}), Integer.BYTES);
        if (result < 0) {
            throw Errno.exception("setsockopt", optionName, -result);
        }
    }

    /** Reads an {@code int} socket option. */
    static int getInt(int fd, int level, int option, String optionName) throws IOException {
        int[] value = new int[1];
        int[] length = {Integer.BYTES};
        int result = LibC.getsockopt(fd, level, option, MemorySegment.ofArray(value), MemorySegment.ofArray(length));
        if (result < 0) {
            throw Errno.exception("getsockopt", optionName, -result);
        }
        return value[0];
    }

    /** {@code struct tcp_info}: where {@code tcpi_min_rtt} (µs, a {@code __u32}) is, and the bytes up to its end. */
    private static final int TCP_INFO_MIN_RTT_OFFSET = 148;
    private static final int TCP_INFO_BYTES = 256;

    /**
     * The kernel's minimum RTT of a TCP socket in microseconds ({@code TCP_INFO}), 0 when the
     * kernel does not report it: before 4.6 (a struct shorter than {@code tcpi_min_rtt}'s end), or
     * no sample yet (the kernel reports {@code ~0U}).
     */
    static long tcpMinRttMicros(int fd) throws IOException {
        int[] info = new int[TCP_INFO_BYTES / Integer.BYTES];
        int[] length = {TCP_INFO_BYTES};
        int result = LibC.getsockopt(fd, LibC.IPPROTO_TCP, LibC.TCP_INFO, MemorySegment.ofArray(info),
                MemorySegment.ofArray(length));
        if (result < 0) {
            throw Errno.exception("getsockopt", "TCP_INFO", -result);
        }
        if (length[0] < TCP_INFO_MIN_RTT_OFFSET + Integer.BYTES) {
            return 0;
        }
        int minRtt = info[TCP_INFO_MIN_RTT_OFFSET / Integer.BYTES];
        return minRtt == -1 ? 0 : Integer.toUnsignedLong(minRtt);
    }

    /** Sets {@code SO_LINGER}: {@code seconds < 0} turns it off. */
    static void setLinger(int fd, int seconds) throws IOException {
        int[] linger = {seconds < 0 ? 0 : 1, Math.max(0, seconds)};
        int result = LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_LINGER, MemorySegment.ofArray(linger), 8);
        if (result < 0) {
            throw Errno.exception("setsockopt", "SO_LINGER", -result);
        }
    }

    /** Reads {@code SO_LINGER} in seconds, -1 when off. */
    static int getLinger(int fd) throws IOException {
        int[] linger = new int[2];
        int[] length = {8};
        int result = LibC.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_LINGER, MemorySegment.ofArray(linger),
                MemorySegment.ofArray(length));
        if (result < 0) {
            throw Errno.exception("getsockopt", "SO_LINGER", -result);
        }
        return linger[0] == 0 ? -1 : linger[1];
    }

    /** {@code shutdown(fd, how)}; ENOTCONN (the peer already went) is not an error. */
    static void shutdown(int fd, int how, String detail) throws IOException {
        int result = LibC.shutdown(fd, how);
        if (result < 0 && result != -Errno.ENOTCONN) {
            throw Errno.exception("shutdown", detail, -result);
        }
    }

    /** Closes {@code fd}, ignoring errors: after close(2) returns the fd is gone either way. */
    static void closeQuietly(int fd) {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }

    /** Go's network name for a family: {@code "tcp4"}, {@code "tcp6"}, {@code "unix"}. */
    static String familyName(int family) {
        return switch (family) {
            case LibC.AF_INET -> "tcp4";
            case LibC.AF_INET6 -> "tcp6";
            case LibC.AF_UNIX -> "unix";
            default -> "family " + family;
        };
    }
}

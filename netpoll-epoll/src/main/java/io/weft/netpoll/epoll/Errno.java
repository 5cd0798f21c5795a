package io.weft.netpoll.epoll;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;

/**
 * Linux errno values and their mapping to typed {@link IOException}s.
 *
 * <p>The numbers are the generic Linux ones ({@code asm-generic/errno.h}), shared by x86-64 and
 * aarch64, the two architectures this module runs on. Messages follow Go's shape, {@code
 * "<op> <detail>: <text>"}, e.g. {@code "dial tcp 127.0.0.1:1: connection refused"}; an errno
 * this class does not know is named by number. Stateless; any thread.
 */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int ENOSPC = 28;
    static final int EPIPE = 32;
    static final int ENAMETOOLONG = 36;
    static final int ENOTSOCK = 88;
    static final int EMSGSIZE = 90;
    static final int ENOPROTOOPT = 92;
    static final int EPROTONOSUPPORT = 93;
    static final int EOPNOTSUPP = 95;
    static final int EAFNOSUPPORT = 97;
    static final int EADDRINUSE = 98;
    static final int EADDRNOTAVAIL = 99;
    static final int ENETDOWN = 100;
    static final int ENETUNREACH = 101;
    static final int ENETRESET = 102;
    static final int ECONNABORTED = 103;
    static final int ECONNRESET = 104;
    static final int ENOBUFS = 105;
    static final int EISCONN = 106;
    static final int ENOTCONN = 107;
    static final int ESHUTDOWN = 108;
    static final int ETIMEDOUT = 110;
    static final int ECONNREFUSED = 111;
    static final int EHOSTDOWN = 112;
    static final int EPROTO = 71;
    static final int ENONET = 64;
    static final int EHOSTUNREACH = 113;
    static final int EALREADY = 114;
    static final int EINPROGRESS = 115;

    private Errno() {}

    /** A human description of {@code errno}, worded like glibc's {@code strerror}. */
    static String describe(int errno) {
        return switch (errno) {
            case EPERM -> "operation not permitted";
            case ENOENT -> "no such file or directory";
            case EBADF -> "bad file descriptor";
            case EAGAIN -> "resource temporarily unavailable";
            case ENOMEM -> "cannot allocate memory";
            case EACCES -> "permission denied";
            case EINVAL -> "invalid argument";
            case ENFILE -> "too many open files in system";
            case EMFILE -> "too many open files";
            case EPIPE -> "broken pipe";
            case ENAMETOOLONG -> "file name too long";
            case ENOTSOCK -> "socket operation on non-socket";
            case ENOPROTOOPT -> "protocol not available";
            case EPROTONOSUPPORT -> "protocol not supported";
            case EOPNOTSUPP -> "operation not supported";
            case EAFNOSUPPORT -> "address family not supported by protocol";
            case EADDRINUSE -> "address already in use";
            case EADDRNOTAVAIL -> "cannot assign requested address";
            case ENETDOWN -> "network is down";
            case ENETUNREACH -> "network is unreachable";
            case ENETRESET -> "network dropped connection on reset";
            case ECONNABORTED -> "software caused connection abort";
            case ECONNRESET -> "connection reset by peer";
            case ENOBUFS -> "no buffer space available";
            case EISCONN -> "transport endpoint is already connected";
            case ENOTCONN -> "transport endpoint is not connected";
            case ESHUTDOWN -> "cannot send after transport endpoint shutdown";
            case ETIMEDOUT -> "connection timed out";
            case ECONNREFUSED -> "connection refused";
            case EHOSTDOWN -> "host is down";
            case EPROTO -> "protocol error";
            case ENONET -> "machine is not on the network";
            case EHOSTUNREACH -> "no route to host";
            case EALREADY -> "operation already in progress";
            case EINPROGRESS -> "operation now in progress";
            default -> "errno " + errno;
        };
    }

    /**
     * Whether {@code accept4} failing with {@code errno} leaves the listener usable: out of
     * descriptors or kernel memory (EMFILE, ENFILE, ENOBUFS, ENOMEM), or one of the network
     * errors accept(2) says to treat like EAGAIN (the pending connection's, not the listener's),
     * or EPERM (a firewall refusing that connection).
     */
    static boolean isTemporaryAcceptError(int errno) {
        return switch (errno) {
            case EMFILE, ENFILE, ENOBUFS, ENOMEM, EPERM, EPROTO, ENOPROTOOPT, ENETDOWN, ENONET, EHOSTDOWN,
                    EHOSTUNREACH, ENETUNREACH, EOPNOTSUPP, ECONNABORTED, ETIMEDOUT, ECONNRESET -> true;
            default -> false;
        };
    }

    /**
     * The typed exception for a failed call.
     *
     * @param op the Go-style operation, e.g. {@code "read"}, {@code "dial"}, {@code "listen"}
     * @param detail what it was applied to, e.g. {@code "tcp 127.0.0.1:80->127.0.0.1:5000"}; may
     *     be empty
     * @param errno the positive errno value
     */
    static IOException exception(String op, String detail, int errno) {
        String message = op + (detail.isEmpty() ? "" : " " + detail) + ": " + describe(errno);
        return switch (errno) {
            case ECONNREFUSED -> new ConnectException(message);
            case EADDRINUSE, EADDRNOTAVAIL -> new BindException(message);
            case EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ENETDOWN -> new NoRouteToHostException(message);
            case ETIMEDOUT -> op.equals("dial") ? new ConnectException(message) : new SocketException(message);
            case ECONNRESET, ECONNABORTED, ENETRESET, EPIPE, ENOTCONN, ESHUTDOWN, ENOPROTOOPT,
                    EPROTONOSUPPORT, EAFNOSUPPORT, EOPNOTSUPP, ENOTSOCK, EISCONN, EALREADY ->
                new SocketException(message);
            case EACCES, EPERM -> op.equals("listen") || op.equals("bind")
                    ? new BindException(message) : new SocketException(message);
            default -> new IOException(message);
        };
    }
}

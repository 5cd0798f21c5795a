package io.weft.netpoll.epoll;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The libc calls this module needs, bound through FFM (no JNI, no native build step).
 *
 * <p>Every method returns the call's result when it is {@code >= 0} and {@code -errno} when the
 * call failed; errno is captured per call with {@link Linker.Option#captureCallState}, so no
 * thread-local errno is read after the fact. {@code EINTR} is retried here, except for {@code
 * close} (Linux releases the fd even when close reports EINTR, so a retry could close someone
 * else's fd) and {@code epoll_wait} (the poller loop simply polls again).
 *
 * <p>The downcall handles are in {@link Downcalls}, each linked on its function's first call.
 * All calls except {@code epoll_wait} and {@code poll} are linked <em>critical with heap access</em>: they
 * are short, non-blocking system calls on non-blocking descriptors, so the JVM may skip the
 * thread-state transition and pass heap segments (a heap {@code ByteBuffer}, a {@code long[]}
 * sockaddr, the {@code int[]} errno box) by a temporary address without copying. {@code
 * epoll_wait} and {@code poll} block, so they are linked normally and need native memory for their
 * arguments.
 *
 * <p>Stateless; any thread. FFM frames pin a virtual thread's carrier only for the length of
 * the call, which is why nothing here may block except {@code epoll_wait} and {@code poll} on a
 * platform thread.
 */
final class LibC {
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;

    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_ERROR = 4;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_KEEPALIVE = 9;
    static final int SO_LINGER = 13;
    static final int SO_REUSEPORT = 15;
    static final int IPPROTO_TCP = 6;
    static final int TCP_NODELAY = 1;
    static final int TCP_KEEPIDLE = 4;
    static final int TCP_KEEPINTVL = 5;
    static final int TCP_KEEPCNT = 6;
    static final int TCP_NOTSENT_LOWAT = 25;
    static final int TCP_INFO = 11;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;

    static final int SHUT_RD = 0;
    static final int SHUT_WR = 1;
    static final int SHUT_RDWR = 2;
    static final int MSG_NOSIGNAL = 0x4000;

    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x001;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    static final int EPOLLRDHUP = 0x2000;
    static final int EPOLLONESHOT = 1 << 30;
    static final int EPOLLET = 1 << 31;

    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;

    /** Layout of the errno capture segment; on Linux a single {@code int errno}. */
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();

    private static final int CAPTURE_INTS = (int) ((CAPTURE_LAYOUT.byteSize() + 3) / 4);
    private static final int ERRNO_INDEX =
            (int) (CAPTURE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno")) / 4);

    static final short POLLIN = 0x001;
    static final short POLLOUT = 0x004;
    static final short POLLRDHUP = 0x2000;
    /** Size of one {@code struct pollfd}: {@code int fd; short events; short revents}. */
    static final int POLLFD_BYTES = 8;

    private LibC() {}

    /** A fresh errno box; small enough that escape analysis usually removes it. */
    private static int[] errnoBox() {
        return new int[CAPTURE_INTS];
    }

    private static AssertionError unexpected(Throwable t) {
        return new AssertionError("FFM downcall failed unexpectedly", t);
    }

    /** {@code socket(2)}: a new fd or -errno. */
    static int socket(int domain, int type, int protocol) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result;
            do {
                result = (int) Downcalls.Socket.HANDLE.invokeExact(capture, domain, type, protocol);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bind(2)}: 0 or -errno. */
    static int bind(int fd, MemorySegment sockaddr, int length) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result;
            do {
                result = (int) Downcalls.Bind.HANDLE.invokeExact(capture, fd, sockaddr, length);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code listen(2)}: 0 or -errno. */
    static int listen(int fd, int backlog) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result;
            do {
                result = (int) Downcalls.Listen.HANDLE.invokeExact(capture, fd, backlog);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code accept4(2)}: the accepted fd or -errno. {@code sockaddr} receives the peer address
     * and {@code lengthInOut} (one {@code int}) holds its capacity on entry, its length on return.
     */
    static int accept4(int fd, MemorySegment sockaddr, MemorySegment lengthInOut, int flags) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result;
            do {
                result = (int) Downcalls.Accept4.HANDLE.invokeExact(capture, fd, sockaddr, lengthInOut, flags);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code connect(2)}: 0 or -errno; on a non-blocking socket {@code -EINPROGRESS} means the
     * handshake continues and ends with the socket writable and {@code SO_ERROR} set. EINTR is
     * not retried: after an interrupted connect the handshake also continues in the background,
     * so it is reported as {@code -EINPROGRESS}.
     */
    static int connect(int fd, MemorySegment sockaddr, int length) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result = (int) Downcalls.Connect.HANDLE.invokeExact(capture, fd, sockaddr, length);
            if (result >= 0) {
                return result;
            }
            int code = errno[ERRNO_INDEX];
            return code == Errno.EINTR ? -Errno.EINPROGRESS : -code;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code read(2)} into {@code buffer} (native or heap): bytes read, 0 at EOF, or -errno. */
    static long read(int fd, MemorySegment buffer, long byteCount) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            long result;
            do {
                result = (long) Downcalls.Read.HANDLE.invokeExact(capture, fd, buffer, byteCount);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code readv(2)}: bytes read, 0 at EOF, or -errno. {@code iovecs} may be a heap segment,
     * but the addresses inside it must be native.
     */
    static long readv(int fd, MemorySegment iovecs, int count) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            long result;
            do {
                result = (long) Downcalls.ReadV.HANDLE.invokeExact(capture, fd, iovecs, count);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code write(2)} (used for the eventfd): bytes written or -errno. */
    static long write(int fd, MemorySegment buffer, long byteCount) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            long result;
            do {
                result = (long) Downcalls.Write.HANDLE.invokeExact(capture, fd, buffer, byteCount);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code writev(2)}: bytes written or -errno. Like {@link #readv}, the iovec addresses must be
     * native. A broken connection reports {@code -EPIPE}: HotSpot ignores SIGPIPE.
     */
    static long writev(int fd, MemorySegment iovecs, int count) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            long result;
            do {
                result = (long) Downcalls.WriteV.HANDLE.invokeExact(capture, fd, iovecs, count);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code send(2)} on a socket: bytes written or -errno. Pass {@link #MSG_NOSIGNAL}. */
    static long send(int fd, MemorySegment buffer, long byteCount, int flags) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            long result;
            do {
                result = (long) Downcalls.Send.HANDLE.invokeExact(capture, fd, buffer, byteCount, flags);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code shutdown(2)}: 0 or -errno. */
    static int shutdown(int fd, int how) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result;
            do {
                result = (int) Downcalls.Shutdown.HANDLE.invokeExact(capture, fd, how);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code close(2)}: 0 or -errno; never retried (see the class comment). */
    static int close(int fd) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result = (int) Downcalls.Close.HANDLE.invokeExact(capture, fd);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code setsockopt(2)}: 0 or -errno. */
    static int setsockopt(int fd, int level, int option, MemorySegment value, int length) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result;
            do {
                result = (int) Downcalls.SetSockOpt.HANDLE.invokeExact(capture, fd, level, option, value, length);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code getsockopt(2)}: 0 or -errno; {@code lengthInOut} is one {@code int}. */
    static int getsockopt(int fd, int level, int option, MemorySegment value, MemorySegment lengthInOut) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result;
            do {
                result = (int) Downcalls.GetSockOpt.HANDLE.invokeExact(capture, fd, level, option, value, lengthInOut);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code getsockname(2)}: 0 or -errno. */
    static int getsockname(int fd, MemorySegment sockaddr, MemorySegment lengthInOut) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result = (int) Downcalls.GetSockName.HANDLE.invokeExact(capture, fd, sockaddr, lengthInOut);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code getpeername(2)}: 0 or -errno ({@code -ENOTCONN} before the handshake completes). */
    static int getpeername(int fd, MemorySegment sockaddr, MemorySegment lengthInOut) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result = (int) Downcalls.GetPeerName.HANDLE.invokeExact(capture, fd, sockaddr, lengthInOut);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code epoll_create1(2)}: a new epoll fd or -errno. */
    static int epollCreate1(int flags) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result = (int) Downcalls.EpollCreate1.HANDLE.invokeExact(capture, flags);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code epoll_ctl(2)}: 0 or -errno; {@code event} may be a heap segment. */
    static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result;
            do {
                result = (int) Downcalls.EpollCtl.HANDLE.invokeExact(capture, epfd, op, fd, event);
            } while (result < 0 && errno[ERRNO_INDEX] == Errno.EINTR);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code epoll_wait(2)}: the number of events or -errno ({@code -EINTR} included, so the
     * caller's loop decides). Blocks up to {@code timeoutMillis} (-1 = forever), so call it only
     * from a platform thread. {@code events} and {@code capture} must be native segments; {@code
     * capture} has {@link #CAPTURE_LAYOUT} and is owned by the calling thread.
     */
    static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMillis, MemorySegment capture) {
        try {
            int result = (int) Downcalls.EpollWait.HANDLE.invokeExact(capture, epfd, events, maxEvents, timeoutMillis);
            return result < 0 ? -capture.getAtIndex(JAVA_INT, ERRNO_INDEX) : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code poll(2)}: the number of ready entries or -errno ({@code -EINTR} included). Blocks up
     * to {@code timeoutMillis} (-1 = forever), so call it only from a platform thread. {@code
     * pollfds} and {@code capture} must be native segments owned by the calling thread.
     */
    static int poll(MemorySegment pollfds, int count, int timeoutMillis, MemorySegment capture) {
        try {
            int result = (int) Downcalls.Poll.HANDLE.invokeExact(capture, pollfds, (long) count, timeoutMillis);
            return result < 0 ? -capture.getAtIndex(JAVA_INT, ERRNO_INDEX) : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code eventfd(2)}: a new eventfd or -errno. */
    static int eventfd(int initialValue, int flags) {
        int[] errno = errnoBox();
        MemorySegment capture = MemorySegment.ofArray(errno);
        try {
            int result = (int) Downcalls.EventFd.HANDLE.invokeExact(capture, initialValue, flags);
            return result < 0 ? -errno[ERRNO_INDEX] : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}

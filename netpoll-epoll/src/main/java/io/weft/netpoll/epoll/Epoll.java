package io.weft.netpoll.epoll;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One epoll instance with its wake-up eventfd and its event array: Go's {@code netpollinit},
 * {@code netpollopen}, {@code netpollclose} and {@code netpollBreak} for a single poller.
 *
 * <p>Descriptors are registered once, edge-triggered, for {@code EPOLLIN | EPOLLOUT | EPOLLRDHUP
 * | EPOLLET}; the 64-bit {@code epoll_data} carries the caller's tag. {@code struct epoll_event}
 * is packed (12 bytes) on x86-64 and naturally aligned (16 bytes) elsewhere, so offsets are
 * computed for the running architecture.
 *
 * <p>Threads: {@link #await}, {@link #events}/{@link #tag} and {@link #close} belong to the one
 * poller thread; a second thread that polls the same instance (the hybrid poller's assistant)
 * brings its own {@link EventArray}. {@link #register}, {@link #deregister} and {@link #wakeup}
 * may be called from any thread (epoll_ctl is thread-safe, and the kernel hands each
 * edge-triggered event to one waiter only).
 */
final class Epoll implements AutoCloseable {
    /** Go's batch size: at most this many events per {@code epoll_wait}. */
    static final int MAX_EVENTS = 128;
    /** The tag reserved for the wake-up eventfd. */
    static final long WAKEUP_TAG = -1L;
    /** What every descriptor is registered for, once. */
    static final int INTEREST = LibC.EPOLLIN | LibC.EPOLLOUT | LibC.EPOLLRDHUP | LibC.EPOLLET;

    private static final boolean PACKED = isX86();
    private static final long EVENT_BYTES = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;

    private final int epfd;
    private final int wakeupFd;
    private final Arena arena = Arena.ofShared();
    private final EventArray primary;
    /** Go's netpollWakeSig: at most one eventfd write outstanding. */
    private final AtomicBoolean wakeupPending = new AtomicBoolean();

    /** Creates the epoll fd and its eventfd; fails with a typed error (e.g. EMFILE). */
    Epoll() throws IOException {
        int ep = LibC.epollCreate1(LibC.EPOLL_CLOEXEC);
        if (ep < 0) {
            arena.close();
            throw Errno.exception("epoll_create1", "", -ep);
        }
        int efd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (efd < 0) {
            LibC.close(ep);
            arena.close();
            throw Errno.exception("eventfd", "", -efd);
        }
        epfd = ep;
        wakeupFd = efd;
        primary = new EventArray();
        int result = ctl(LibC.EPOLL_CTL_ADD, wakeupFd, LibC.EPOLLIN | LibC.EPOLLET, WAKEUP_TAG);
        if (result < 0) {
            close();
            throw Errno.exception("epoll_ctl", "eventfd", -result);
        }
    }

    /** Registers {@code fd} once, edge-triggered for read, write and peer hang-up, with {@code tag}. */
    void register(int fd, long tag) throws IOException {
        int result = ctl(LibC.EPOLL_CTL_ADD, fd, INTEREST, tag);
        if (result < 0) {
            throw Errno.exception("epoll_ctl", "add fd " + fd, -result);
        }
    }

    /**
     * Arms {@code fd} for one {@code EPOLLIN} report with {@code tag} ({@code EPOLLONESHOT}):
     * adds it the first time ({@code added == false}), re-enables it afterwards.
     */
    void armOneShot(int fd, long tag, boolean added) throws IOException {
        int result = ctl(added ? LibC.EPOLL_CTL_MOD : LibC.EPOLL_CTL_ADD, fd, LibC.EPOLLIN | LibC.EPOLLONESHOT, tag);
        if (result < 0) {
            throw Errno.exception("epoll_ctl", "arm fd " + fd, -result);
        }
    }

    /** Removes {@code fd}; returns 0 or -errno (ENOENT/EBADF are harmless to callers that close next). */
    int deregister(int fd) {
        return LibC.epollCtl(epfd, LibC.EPOLL_CTL_DEL, fd, MemorySegment.ofArray(new long[2]));
    }

    private int ctl(int op, int fd, int mask, long tag) {
        MemorySegment event = MemorySegment.ofArray(new long[2]);
        event.set(JAVA_INT_UNALIGNED, 0, mask);
        event.set(JAVA_LONG_UNALIGNED, DATA_OFFSET, tag);
        return LibC.epollCtl(epfd, op, fd, event);
    }

    /**
     * Waits for events: the number ready (0 on timeout or EINTR). Poller thread only; blocks
     * up to {@code timeoutMillis}, -1 meaning until an event or {@link #wakeup}.
     */
    int await(int timeoutMillis) throws IOException {
        return await(timeoutMillis, primary);
    }

    /** {@link #await(int)} into {@code into}, for a second thread polling this instance. */
    int await(int timeoutMillis, EventArray into) throws IOException {
        int n = LibC.epollWait(epfd, into.events, MAX_EVENTS, timeoutMillis, into.capture);
        if (n == -Errno.EINTR) {
            return 0;
        }
        if (n < 0) {
            throw Errno.exception("epoll_wait", "epfd " + epfd, -n);
        }
        return n;
    }

    /** The event mask of ready event {@code index} from the last {@link #await(int)}. */
    int events(int index) {
        return primary.events(index);
    }

    /** The tag of ready event {@code index} from the last {@link #await(int)}. */
    long tag(int index) {
        return primary.tag(index);
    }

    /**
     * Room for {@value #MAX_EVENTS} ready events and the errno capture of one waiting thread;
     * owned by that thread, freed with this instance.
     */
    final class EventArray {
        private final MemorySegment events = arena.allocate(EVENT_BYTES * MAX_EVENTS, 8);
        private final MemorySegment capture = arena.allocate(LibC.CAPTURE_LAYOUT);

        /** The event mask of ready event {@code index} from the last wait into this array. */
        int events(int index) {
            return events.get(JAVA_INT_UNALIGNED, index * EVENT_BYTES);
        }

        /** The tag of ready event {@code index} from the last wait into this array. */
        long tag(int index) {
            return events.get(JAVA_LONG_UNALIGNED, index * EVENT_BYTES + DATA_OFFSET);
        }
    }

    /** Breaks a current or the next {@link #await}; cheap when a wake-up is already pending. */
    void wakeup() {
        if (wakeupPending.compareAndSet(false, true)) {
            LibC.write(wakeupFd, MemorySegment.ofArray(new long[] {1L}), Long.BYTES);
        }
    }

    /** Consumes the eventfd after the poller saw {@link #WAKEUP_TAG}; poller thread only. */
    void wakeupConsumed() {
        LibC.read(wakeupFd, MemorySegment.ofArray(new long[1]), Long.BYTES);
        wakeupPending.set(false);
    }

    /** The epoll descriptor, for diagnostics. */
    int fd() {
        return epfd;
    }

    /** Closes the eventfd and the epoll fd; poller thread only, after its loop ended. */
    @Override
    public void close() {
        LibC.close(wakeupFd);
        LibC.close(epfd);
        arena.close();
    }

    private static boolean isX86() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64");
    }
}

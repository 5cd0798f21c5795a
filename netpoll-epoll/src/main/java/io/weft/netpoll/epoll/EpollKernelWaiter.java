package io.weft.netpoll.epoll;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.weft.netpoll.spi.KernelWaiter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.spi.AbstractInterruptibleChannel;

/**
 * A platform thread waiting for its socket in {@code poll(2)}, the way the JDK's blocking sockets
 * wait in {@code read(2)}: the kernel wakes it when data arrives, with no poller thread in
 * between (docs/benchmarks.md, issue 12). The poll set is the socket and this thread's own
 * eventfd, which {@link #wake()} writes so that close, an earlier deadline and a poller failure
 * end the wait at once; an interrupt reaches it through {@link AbstractInterruptibleChannel}'s
 * public hook, which the JDK calls from {@link Thread#interrupt()} for a thread blocked in I/O.
 *
 * <p>One per platform thread ({@link #forCurrentThread()}), made on its first wait: an eventfd
 * and 24 bytes of native memory, released by a {@link Cleaner} once the thread and the waiter
 * are gone. Threads: see {@link KernelWaiter}; {@link #on} and {@link #blockUntilReadable} only on
 * the owning thread.
 */
final class EpollKernelWaiter implements KernelWaiter {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final System.Logger LOG = System.getLogger(EpollKernelWaiter.class.getName());
    /** The calling thread's waiter; {@code null} for virtual threads, or when no eventfd could be made. */
    private static final ThreadLocal<EpollKernelWaiter> WAITERS = ThreadLocal.withInitial(EpollKernelWaiter::create);

    private final int eventFd;
    /** Two {@code struct pollfd}s (the socket, the eventfd), then the errno capture. */
    private final MemorySegment pollfds;
    private final MemorySegment capture;
    /** The socket of the current wait; owning thread only. */
    private int socketFd = -1;
    /** Turns an interrupt into {@link #wake()}; replaced once it has fired (it is then closed). */
    private Interruptor interruptor = new Interruptor(this);

    private EpollKernelWaiter(int eventFd) {
        this.eventFd = eventFd;
        MemorySegment memory = Arena.ofAuto().allocate(2L * LibC.POLLFD_BYTES + LibC.CAPTURE_LAYOUT.byteSize(), 8);
        this.pollfds = memory.asSlice(0, 2L * LibC.POLLFD_BYTES);
        this.capture = memory.asSlice(2L * LibC.POLLFD_BYTES);
        pollfds.set(JAVA_INT, LibC.POLLFD_BYTES, eventFd);
        pollfds.set(JAVA_SHORT, LibC.POLLFD_BYTES + 4, LibC.POLLIN);
    }

    private static EpollKernelWaiter create() {
        if (Thread.currentThread().isVirtual()) {
            return null;
        }
        int fd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (fd < 0) {
            LOG.log(System.Logger.Level.DEBUG, () -> "no eventfd for a kernel waiter (" + Errno.describe(-fd)
                    + "); this thread parks instead");
            return null;
        }
        EpollKernelWaiter waiter = new EpollKernelWaiter(fd);
        CLEANER.register(waiter, () -> Sockets.closeQuietly(fd));
        return waiter;
    }

    /** The calling platform thread's waiter, or {@code null} (virtual thread, or no eventfd). */
    static EpollKernelWaiter forCurrentThread() {
        return WAITERS.get();
    }

    /** Points the next {@link #blockUntilReadable} at {@code fd}; returns this. Owning thread only. */
    EpollKernelWaiter on(int fd) {
        socketFd = fd;
        return this;
    }

    @Override
    public boolean blockUntilReadable(long timeoutNanos) {
        pollfds.set(JAVA_INT, 0, socketFd);
        pollfds.set(JAVA_SHORT, 4, (short) (LibC.POLLIN | LibC.POLLRDHUP));
        pollfds.set(JAVA_SHORT, 6, (short) 0);
        pollfds.set(JAVA_SHORT, LibC.POLLFD_BYTES + 6, (short) 0);
        int timeoutMillis = timeoutNanos < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000);
        Interruptor current = interruptor;
        current.enter(); // an interrupt from here on writes the eventfd (at once if already interrupted)
        int ready;
        try {
            ready = LibC.poll(pollfds, 2, timeoutMillis, capture);
        } finally {
            if (current.exit()) {
                interruptor = new Interruptor(this);
            }
        }
        if (ready <= 0) {
            return false; // timed out, or EINTR: the caller re-evaluates
        }
        if (pollfds.get(JAVA_SHORT, LibC.POLLFD_BYTES + 6) != 0) {
            LibC.read(eventFd, MemorySegment.ofArray(new long[1]), Long.BYTES); // consume the wake-up
        }
        return pollfds.get(JAVA_SHORT, 6) != 0;
    }

    @Override
    public void wake() {
        try {
            LibC.write(eventFd, MemorySegment.ofArray(new long[] {1L}), Long.BYTES);
        } finally {
            // The owner thread may have returned and died meanwhile: keep this object (and so
            // its eventfd, which a Cleaner closes once it is unreachable) alive until the write is done.
            java.lang.ref.Reference.reachabilityFence(this);
        }
    }

    /**
     * The JDK's interrupt hook for code blocked in I/O: {@link #begin()} registers it with the
     * thread, and {@link Thread#interrupt()} then "closes" this channel, which here only wakes the
     * waiter. The socket itself is untouched (Weft's interrupt leaves the connection open).
     */
    private static final class Interruptor extends AbstractInterruptibleChannel {
        private final EpollKernelWaiter waiter;

        Interruptor(EpollKernelWaiter waiter) {
            this.waiter = waiter;
        }

        void enter() {
            begin();
        }

        /** Ends the blocking section; returns {@code true} when an interrupt fired (this is spent). */
        boolean exit() {
            try {
                end(true);
            } catch (AsynchronousCloseException interrupted) {
                return true; // ClosedByInterruptException: the thread keeps its interrupt flag
            }
            return !isOpen();
        }

        @Override
        protected void implCloseChannel() {
            waiter.wake();
        }
    }
}

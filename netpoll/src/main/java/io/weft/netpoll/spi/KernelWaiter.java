package io.weft.netpoll.spi;

/**
 * A platform thread's way of waiting for its socket inside the kernel, as the JDK's blocking
 * sockets do, instead of parking until a poller thread unparks it: one wake-up (the kernel's)
 * instead of two (the poller's, then the poller's unpark). A backend that can block in {@code
 * poll(2)} on the socket plus a wake-up handle offers one through {@link PollConn#kernelWaiter()};
 * {@link PollDescriptor#awaitRead(KernelWaiter)} puts it in the read slot while it blocks, so that
 * close, an earlier deadline and a poller failure still end the wait at once ({@link #wake()}).
 *
 * <p>Threads: {@link #blockUntilReadable} only on the platform thread that owns the waiter, for one socket at
 * a time; {@link #wake()} from any thread, at any time.
 */
public interface KernelWaiter {
    /**
     * Blocks the calling thread until the socket is readable (or hung up, or in error), {@link
     * #wake()} is called, the thread is interrupted, or {@code timeoutNanos} passes. A {@link
     * #wake()} that came while nobody blocked makes the next call return at once; it may also
     * return early for no reason (the caller re-evaluates either way).
     *
     * @param timeoutNanos the longest wait in nanoseconds (rounded up to whole milliseconds), or
     *     a negative value for no limit
     * @return {@code true} when the socket reported readiness, else {@code false}
     */
    boolean blockUntilReadable(long timeoutNanos);

    /** Ends a {@link #blockUntilReadable} in progress, or the next one if none is; any thread. */
    void wake();
}

package io.weft.netpoll.spi;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The lock that serializes one direction's calls on a connection (all reads, all writes, or all
 * accepts), with one property {@link java.util.concurrent.locks.ReentrantLock} lacks: {@link
 * #close()} releases <em>every</em> queued caller at once, like the close of Go's {@code fdMutex}.
 * With a plain lock the queued callers leave one after another, each waiting for the one before
 * it to be scheduled; with a thousand platform threads queued on one connection that chain alone
 * takes over 100 ms.
 *
 * <p>Not reentrant and not fair (a caller may take the lock ahead of queued ones, as with a
 * non-fair {@code ReentrantLock}). Any thread may call any method; {@link #unlock()} only by the
 * holder.
 *
 * <p>Why no wake-up is lost: {@link #unlock()} frees the lock <em>before</em> it looks at the
 * queue, and a waiter joins the queue <em>before</em> it tries the lock; so either the unlocking
 * thread sees the waiter and unparks it, or the waiter's try sees the lock free. A waiter that
 * leaves the queue without the lock (closed or interrupted) may have consumed the unpark meant
 * for the next one, so it passes the wake-up on.
 */
final class CallLock {
    private final AtomicBoolean held = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /**
     * Takes the lock, waiting while another call holds it.
     *
     * @return {@code true} with the lock held; {@code false} (lock not held) when the lock is
     *     closed before it could be taken
     * @throws InterruptedException if the thread is interrupted while waiting (flag cleared, as by
     *     {@link java.util.concurrent.locks.Lock#lockInterruptibly()})
     */
    boolean lock() throws InterruptedException {
        if (held.compareAndSet(false, true)) {
            return true;
        }
        Thread me = Thread.currentThread();
        waiters.add(me);
        boolean acquired = false;
        try {
            while (true) {
                if (closed) {
                    return false;
                }
                if (held.compareAndSet(false, true)) {
                    acquired = true;
                    return true;
                }
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        } finally {
            // After close the queue is never used again: skip the O(n) removal, so a thousand
            // released callers do not each scan the queue, and skip passing on a wake-up nobody needs.
            if (acquired || !closed) {
                waiters.remove(me);
                if (!acquired) {
                    wakeNext();
                }
            }
        }
    }

    /** Releases the lock and wakes the first queued caller. */
    void unlock() {
        held.set(false);
        wakeNext();
    }

    /** Makes every queued and later {@link #lock()} that has to wait return {@code false}. Idempotent. */
    void close() {
        closed = true;
        for (Thread waiter : waiters) {
            LockSupport.unpark(waiter);
        }
    }

    private void wakeNext() {
        if (!held.get()) {
            Thread next = waiters.peek();
            if (next != null) {
                LockSupport.unpark(next);
            }
        }
    }
}

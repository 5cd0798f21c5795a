package io.weft.yamux;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Callers of one session that the session reader woke (data arrived for a stream whose reader
 * was waiting) and that have not run yet, so that a stream moving bulk data gives up its carrier
 * to them.
 *
 * <p>Why: virtual threads are not preempted. On a machine with few cores, a bulk writer that
 * always has send window, or a bulk reader that always finds data buffered, keeps its carrier
 * from one large frame to the next while a request/response caller of the same session, woken
 * by the reader, waits in the scheduler's queue behind it (measured on two cores, two processes:
 * a hand-off from the reader to the woken caller took a median of about 90 µs beside a bulk
 * writer). So after each large piece ({@link #YIELD_MIN_BYTES} or more) a virtual thread
 * {@link Thread#yield() yields} while any woken caller of the session has not run; with none
 * waiting it never yields, so a lone bulk stream is not slowed.
 *
 * <p>Counting: the reader calls {@link #woken()} once per wait it ends (a stream records that it
 * counted, see {@code Stream}), the woken caller calls {@link #ran()} as it leaves that wait
 * however it leaves it. Thread-safe, lock-free; the count is a hint, never a correctness
 * condition.
 */
final class WokenCallers {
    /** Bytes a read or write must move before it may yield; smaller calls never do. */
    static final int YIELD_MIN_BYTES = 16 * 1024;

    private final AtomicInteger waiting = new AtomicInteger();

    /** The reader woke a caller waiting for data. */
    void woken() {
        waiting.incrementAndGet();
    }

    /** A caller counted by {@link #woken()} runs again. */
    void ran() {
        waiting.decrementAndGet();
    }

    /** Callers woken and not yet running. Visible for testing. */
    int waiting() {
        return waiting.get();
    }

    /**
     * Whether a call that moved {@code movedBytes} on a thread that {@code isVirtual} should yield:
     * it moved a large piece and a woken caller of this session has not run yet.
     */
    static boolean shouldYield(long movedBytes, boolean isVirtual, int waiting) {
        return isVirtual && waiting > 0 && movedBytes >= YIELD_MIN_BYTES;
    }

    /**
     * Called (no lock held) after a read or a data frame that moved {@code movedBytes}: yields the
     * carrier if {@link #shouldYield} says so.
     */
    void yieldIfCallersWait(long movedBytes) {
        if (shouldYield(movedBytes, Thread.currentThread().isVirtual(), waiting.get())) {
            Thread.yield();
        }
    }
}

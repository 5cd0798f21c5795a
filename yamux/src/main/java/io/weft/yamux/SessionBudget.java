package io.weft.yamux;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One session's account in a shared {@link MemoryBudget}: what the session itself, its live
 * streams and their window growth hold, so that everything still held goes back exactly once
 * when the session ends ({@link #close()}), whatever its streams do later.
 *
 * <p>Thread-safe. Called by the session reader (inbound SYNs, under the session lock), by
 * application threads (open, and stream release under no lock) and by stream readers (window
 * growth, under a stream lock). Its lock is a leaf: held only to update the counters, and the
 * budget's own lock is taken inside it.
 */
final class SessionBudget {
    private final MemoryBudget budget;
    private final long streamBytes;

    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private boolean admitted;
    private boolean closed;
    private int streams;
    private long growthBytes;

    SessionBudget(MemoryBudget budget, YamuxConfig config) {
        this.budget = budget;
        this.streamBytes = budget.bytesPerStream(config);
    }

    /**
     * Charges the session itself; call once, at start.
     *
     * @return null when admitted, else why not
     */
    String admitSession() {
        lock.lock();
        try {
            String refusal = budget.tryCharge(MemoryBudget.SESSION_BYTES, true, false);
            admitted = refusal == null;
            return refusal;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Charges one new stream, inbound or outbound.
     *
     * @return null when charged (then {@link #releaseStream()} once, when it no longer holds
     *     memory), else why not
     */
    String admitStream() {
        lock.lock();
        try {
            if (closed) {
                return "session closed";
            }
            String refusal = budget.tryCharge(streamBytes, false, true);
            if (refusal == null) {
                streams++;
            }
            return refusal;
        } finally {
            lock.unlock();
        }
    }

    /** A charged stream has ended and holds no unread data; no effect once the session closed. */
    void releaseStream() {
        lock.lock();
        try {
            if (closed || streams == 0) {
                return;
            }
            streams--;
            budget.release(streamBytes, 0, 1);
        } finally {
            lock.unlock();
        }
    }

    /** Takes up to {@code wantedBytes} of window growth; returns what was granted (possibly 0). */
    long takeGrowth(long wantedBytes) {
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            long granted = budget.takeUpTo(wantedBytes);
            growthBytes += granted;
            return granted;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back window growth taken earlier; no effect once the session closed. */
    void giveGrowth(long bytes) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long back = Math.min(bytes, growthBytes);
            growthBytes -= back;
            budget.release(back, 0, 0);
        } finally {
            lock.unlock();
        }
    }

    /** The session ended: gives back everything it still holds. Idempotent. */
    void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            budget.release((admitted ? MemoryBudget.SESSION_BYTES : 0) + streams * streamBytes + growthBytes,
                    admitted ? 1 : 0, streams);
            streams = 0;
            growthBytes = 0;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes this session holds in the budget now: itself, its streams, their window growth; 0 once closed. */
    long chargedBytes() {
        lock.lock();
        try {
            return closed ? 0 : (admitted ? MemoryBudget.SESSION_BYTES : 0) + streams * streamBytes + growthBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Streams charged now. Visible for testing. */
    int streams() {
        lock.lock();
        try {
            return streams;
        } finally {
            lock.unlock();
        }
    }
}

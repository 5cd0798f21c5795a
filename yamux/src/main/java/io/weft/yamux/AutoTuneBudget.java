package io.weft.yamux;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-session pool of receive-window growth that auto-tuning may hand out, so the memory
 * bound stays {@code liveStreams × streamWindowBytes + budget}. Thread-safe (lock-free);
 * called under stream locks by readers of different streams.
 */
final class AutoTuneBudget {
    private final AtomicLong remainingBytes;

    AutoTuneBudget(long totalBytes) {
        this.remainingBytes = new AtomicLong(totalBytes);
    }

    /** Takes up to {@code wantedBytes}; returns what was granted (possibly 0). */
    long take(long wantedBytes) {
        while (true) {
            long remaining = remainingBytes.get();
            long granted = Math.min(remaining, wantedBytes);
            if (granted <= 0) {
                return 0;
            }
            if (remainingBytes.compareAndSet(remaining, remaining - granted)) {
                return granted;
            }
        }
    }

    /** Returns bytes taken earlier. */
    void give(long bytes) {
        remainingBytes.addAndGet(bytes);
    }

    /** Bytes still available. */
    long remainingBytes() {
        return remainingBytes.get();
    }
}

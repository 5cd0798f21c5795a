package io.weft.yamux;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-session pool of receive-window growth that auto-tuning may hand out, so the memory
 * bound stays {@code liveStreams × streamWindowBytes + budget}. Growth is also charged to the
 * shared {@link MemoryBudget} (through the session's {@link SessionBudget}), so it is granted only
 * when it fits both. Thread-safe (lock-free here; the shared account has a leaf lock); called
 * under stream locks by readers of different streams.
 */
final class AutoTuneBudget {
    private final AtomicLong remainingBytes;
    private final SessionBudget shared;

    /** A pool charged to nothing else (tests). */
    AutoTuneBudget(long totalBytes) {
        this(totalBytes, null);
    }

    /** A pool whose grants are also charged to {@code shared} ({@code null}: to nothing else). */
    AutoTuneBudget(long totalBytes, SessionBudget shared) {
        this.remainingBytes = new AtomicLong(totalBytes);
        this.shared = shared;
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
                long charged = shared == null ? granted : shared.takeGrowth(granted);
                if (charged < granted) {
                    remainingBytes.addAndGet(granted - charged);
                }
                return charged;
            }
        }
    }

    /** Returns bytes taken earlier. */
    void give(long bytes) {
        remainingBytes.addAndGet(bytes);
        if (shared != null) {
            shared.giveGrowth(bytes);
        }
    }

    /** Bytes still available. */
    long remainingBytes() {
        return remainingBytes.get();
    }
}

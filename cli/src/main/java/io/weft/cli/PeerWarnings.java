package io.weft.cli;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Warnings any peer can trigger by connecting (a failed handshake, a wrong token): one line each
 * while they are rare, at most {@link #BURST} lines per 10 s when they are not, so a flood of bad
 * connections cannot flood the log. The next line logged after a quiet spell says how many were
 * left out. Thread-safe, lock-free.
 */
final class PeerWarnings {

    /** Lines allowed per window. */
    static final int BURST = 20;
    private static final long WINDOW_NANOS = 10_000_000_000L;

    private final System.Logger log;
    private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
    private final AtomicLong inWindow = new AtomicLong();
    private final LongAdder suppressed = new LongAdder();

    PeerWarnings(System.Logger log) {
        this.log = log;
    }

    /** Logs {@code message} at WARNING unless {@link #BURST} lines were logged in the current 10 s window. */
    void warn(String message) {
        if (!log.isLoggable(System.Logger.Level.WARNING)) {
            return;
        }
        long now = System.nanoTime();
        long start = windowStart.get();
        if (now - start >= WINDOW_NANOS && windowStart.compareAndSet(start, now)) {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() > BURST) {
            suppressed.increment();
            return;
        }
        long left = suppressed.sumThenReset();
        log.log(System.Logger.Level.WARNING, message
                + (left > 0 ? " (" + left + " similar lines suppressed before this one)" : ""));
    }
}

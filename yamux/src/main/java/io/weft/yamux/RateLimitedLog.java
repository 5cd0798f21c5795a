package io.weft.yamux;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Warnings a peer can trigger, at most one line per kind per 10 s per session, with the number
 * of suppressed repeats, so a hostile peer cannot flood the log. Thread-safe.
 */
final class RateLimitedLog {
    static final Logger LOGGER = System.getLogger("io.weft.yamux");
    private static final long INTERVAL_NANOS = 10_000_000_000L;

    private final String sessionName;
    private final ConcurrentHashMap<String, Kind> lastByKind = new ConcurrentHashMap<>();

    RateLimitedLog(String sessionName) {
        this.sessionName = sessionName;
    }

    /** Logs {@code message} at WARNING unless a line of this {@code kind} was logged in the last 10 s. */
    void warn(String kind, String message) {
        if (!LOGGER.isLoggable(Level.WARNING)) {
            return;
        }
        long now = System.nanoTime();
        Kind state = lastByKind.computeIfAbsent(kind, k -> new Kind(now - INTERVAL_NANOS));
        long last = state.lastLoggedNanos.get();
        if (now - last < INTERVAL_NANOS || !state.lastLoggedNanos.compareAndSet(last, now)) {
            state.suppressed.increment();
            return;
        }
        long suppressed = state.suppressed.sumThenReset();
        LOGGER.log(Level.WARNING, sessionName + ": " + message
                + (suppressed > 0 ? " (" + suppressed + " similar suppressed)" : ""));
    }

    private static final class Kind {
        final AtomicLong lastLoggedNanos;
        final LongAdder suppressed = new LongAdder();

        Kind(long lastLoggedNanos) {
            this.lastLoggedNanos = new AtomicLong(lastLoggedNanos);
        }
    }
}

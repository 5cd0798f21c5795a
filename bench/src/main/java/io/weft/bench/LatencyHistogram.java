package io.weft.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A log-linear histogram of durations at microsecond resolution, HdrHistogram-style but tiny:
 * values below 32 µs have a bucket each, above that every power of two is split into 32 buckets,
 * so a reported percentile is at most 1/32 (about 3 %) above the true value. The Go peer
 * ({@code weftbench}) uses the identical buckets, so both sides' percentiles are comparable.
 *
 * <p>Thread rules: {@link #recordNanos} may be called from any thread (one loop thread in
 * practice); the readers ({@link #percentileMicros}, {@link #maxMicros}) are meant for after the
 * measured window, from any thread.
 */
final class LatencyHistogram {

    /** Sub-buckets per power of two; also the largest value with a bucket of its own. */
    static final int SUB_BUCKETS = 32;
    private static final int SHIFT = Integer.numberOfTrailingZeros(SUB_BUCKETS); // 5
    private static final int BUCKETS = SUB_BUCKETS + (63 - SHIFT) * SUB_BUCKETS;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong maxMicros = new AtomicLong();

    /** Records one duration, in nanoseconds (rounded to the nearest microsecond). */
    void recordNanos(long nanos) {
        long micros = Math.max(0, (nanos + 500) / 1000);
        counts.incrementAndGet(index(micros));
        total.incrementAndGet();
        maxMicros.accumulateAndGet(micros, Math::max);
    }

    /** Number of recorded values. */
    long count() {
        return total.get();
    }

    /** The largest recorded value, µs; 0 when empty. */
    long maxMicros() {
        return maxMicros.get();
    }

    /**
     * The value at {@code percentile} (0–100), µs: the upper edge of the bucket holding the
     * value of that rank, capped at the maximum; NaN when empty.
     */
    double percentileMicros(double percentile) {
        long n = total.get();
        if (n == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * n));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(upperMicros(i), maxMicros.get());
            }
        }
        return maxMicros.get();
    }

    /** The bucket of {@code micros} (≥ 0). */
    static int index(long micros) {
        if (micros < SUB_BUCKETS) {
            return (int) micros;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(micros); // ≥ SHIFT
        int sub = (int) (micros >>> (exponent - SHIFT)) & (SUB_BUCKETS - 1);
        return SUB_BUCKETS + (exponent - SHIFT) * SUB_BUCKETS + sub;
    }

    /** The largest value, µs, that falls into bucket {@code index}. */
    static long upperMicros(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int exponent = (index - SUB_BUCKETS) / SUB_BUCKETS + SHIFT;
        long sub = (index - SUB_BUCKETS) % SUB_BUCKETS;
        return ((SUB_BUCKETS + sub + 1) << (exponent - SHIFT)) - 1;
    }
}

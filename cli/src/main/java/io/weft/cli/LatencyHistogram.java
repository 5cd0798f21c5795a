package io.weft.cli;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A lock-free latency histogram with about 3% relative precision from 1 µs to about 70 s: 32
 * linear sub-buckets per power of two of microseconds. Recorded by many worker threads at once,
 * read by the reporting thread; a snapshot taken while workers record may be off by the few
 * values in flight, which is fine for progress and summaries.
 */
final class LatencyHistogram {

    private static final int SUB_BUCKET_BITS = 5;
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    private static final int MAGNITUDES = 27; // 2^26 µs ≈ 67 s; larger values land in the top bucket

    private final AtomicLongArray counts = new AtomicLongArray(MAGNITUDES * SUB_BUCKETS);
    private final LongAdder total = new LongAdder();

    /** Records one latency. */
    void record(long nanos) {
        long micros = Math.max(0, nanos / 1_000);
        counts.incrementAndGet(index(micros));
        total.increment();
    }

    /** Number of recorded values. */
    long count() {
        return total.sum();
    }

    /**
     * The value at {@code percentile} (0..100), as the upper bound of its bucket, or
     * {@link Duration#ZERO} when empty.
     */
    Duration percentile(double percentile) {
        long n = 0;
        for (int i = 0; i < counts.length(); i++) {
            n += counts.get(i);
        }
        if (n == 0) {
            return Duration.ZERO;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * n));
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Duration.ofNanos(upperBoundMicros(i) * 1_000);
            }
        }
        return Duration.ofNanos(upperBoundMicros(counts.length() - 1) * 1_000);
    }

    /** Bucket of a value: exact below 32 µs, then 32 sub-buckets per power of two. */
    static int index(long micros) {
        if (micros < SUB_BUCKETS) {
            return (int) micros;
        }
        int magnitude = 63 - Long.numberOfLeadingZeros(micros) - SUB_BUCKET_BITS + 1;
        if (magnitude >= MAGNITUDES) {
            return MAGNITUDES * SUB_BUCKETS - 1;
        }
        int sub = (int) (micros >>> (magnitude - 1)) - SUB_BUCKETS;
        return magnitude * SUB_BUCKETS + sub;
    }

    /** The largest value that lands in bucket {@code index}. */
    static long upperBoundMicros(int index) {
        int magnitude = index / SUB_BUCKETS;
        int sub = index % SUB_BUCKETS;
        if (magnitude == 0) {
            return sub;
        }
        long start = (long) (SUB_BUCKETS + sub) << (magnitude - 1);
        return start + (1L << (magnitude - 1)) - 1;
    }
}

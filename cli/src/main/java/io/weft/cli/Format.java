package io.weft.cli;

import java.time.Duration;
import java.util.Locale;

/** Number formatting for human output: counts, rates, latencies. Stateless; any thread. */
final class Format {

    private Format() {}

    /** {@code 1234567 -> "1,234,567"}. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A per-second rate as a count, {@code "45,123/s"}. */
    static String rate(long n, Duration over) {
        return count(perSecond(n, over)) + "/s";
    }

    /** A byte rate, {@code "533.6 MiB/s"}. */
    static String byteRate(long bytes, Duration over) {
        return ByteSize.format(perSecond(bytes, over)) + "/s";
    }

    static long perSecond(long n, Duration over) {
        double seconds = over.toNanos() / 1e9;
        return seconds <= 0 ? 0 : Math.round(n / seconds);
    }

    /** Milliseconds with three significant digits: {@code "0.215 ms"}, {@code "12.3 ms"}. */
    static String millis(Duration d) {
        return millisNumber(d.toNanos() / 1e6) + " ms";
    }

    static String millisNumber(double ms) {
        if (ms >= 100) {
            return String.format(Locale.ROOT, "%.0f", ms);
        } else if (ms >= 10) {
            return String.format(Locale.ROOT, "%.1f", ms);
        } else if (ms >= 1) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        return String.format(Locale.ROOT, "%.3f", ms);
    }

    /** Seconds with one decimal: {@code "4.2s"}. */
    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toNanos() / 1e9);
    }
}

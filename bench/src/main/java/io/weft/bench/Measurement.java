package io.weft.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Times one cell: waits out the warm-up, then reads a counter at both edges of the measured
 * window, so the loops themselves never look at the clock. Also records the process CPU time
 * spent in the window. Runs on the harness's main thread.
 */
final class Measurement {

    private Measurement() {}

    /**
     * What one cell measured. {@code value} is per second, in {@code unit}; {@code tls} is the
     * protocol and cipher suite a TLS cell negotiated ({@code "TLSv1.3 TLS_AES_128_GCM_SHA256"}),
     * or empty.
     */
    record Result(String impl, String workload, int connections, double seconds, long count, double value,
            String unit, double cpuSecondsPerSecond, String tls) {

        Result(String impl, String workload, int connections, double seconds, long count, double value,
                String unit, double cpuSecondsPerSecond) {
            this(impl, workload, connections, seconds, count, value, unit, cpuSecondsPerSecond, "");
        }

        /** This result with what the TLS cell negotiated. */
        Result withTls(String negotiated) {
            return new Result(impl, workload, connections, seconds, count, value, unit, cpuSecondsPerSecond,
                    negotiated);
        }

        /** One JSON line, the format the orchestrator (and the Go peer) print. */
        String toJson() {
            return toJson(Map.of());
        }

        /**
         * One JSON line as {@link #toJson()}, with {@code extras} (name → number) appended: the
         * secondary figures of a cell that measures several (see {@link Launcher.Outcome#metric}).
         */
        String toJson(Map<String, Double> extras) {
            StringBuilder more = new StringBuilder();
            extras.forEach((name, number) -> more.append(String.format(Locale.ROOT, ",\"%s\":%.3f", name, number)));
            return String.format(Locale.ROOT,
                    "{\"impl\":\"%s\",\"workload\":\"%s\",\"connections\":%d,\"seconds\":%.4f,\"count\":%d,"
                            + "\"value\":%.3f,\"unit\":\"%s\",\"cpu\":%.3f,\"runtime\":\"java %s\"%s%s}",
                    impl, workload, connections, seconds, count, value, unit, cpuSecondsPerSecond,
                    Runtime.version(), tls.isEmpty() ? "" : ",\"tls\":\"" + tls + "\"", more);
        }
    }

    /**
     * Measures {@code counter} over {@code measure} after {@code warmup}. Fails early with the
     * first loop failure recorded in {@code failure}.
     *
     * @param scale multiplies the counter delta per second (1e-6 turns bytes into MB)
     */
    static Result run(String impl, String workload, int connections, Duration warmup, Duration measure,
            LongSupplier counter, AtomicReference<Throwable> failure, double scale, String unit) throws Exception {
        sleepChecking(warmup, failure);
        long count0 = counter.getAsLong();
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        sleepChecking(measure, failure);
        long count1 = counter.getAsLong();
        long t1 = System.nanoTime();
        long cpu1 = cpuNanos();
        double seconds = (t1 - t0) / 1e9;
        long count = count1 - count0;
        return new Result(impl, workload, connections, seconds, count, count * scale / seconds, unit,
                (cpu1 - cpu0) / 1e9 / seconds);
    }

    /** Sleeps {@code duration}, failing early with the first loop failure recorded in {@code failure}. */
    static void sleepChecking(Duration duration, AtomicReference<Throwable> failure) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000L)); // a timing window, not synchronisation
            Throwable t = failure.get();
            if (t != null) {
                throw new IllegalStateException("a benchmark loop failed", t);
            }
        }
    }

    /** CPU time this process has used, ns. */
    static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}

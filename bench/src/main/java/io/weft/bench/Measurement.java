package io.weft.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
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
 *
 * <p>The warm-up ({@link #warmUp}) lasts at least the time asked for, then goes on until this
 * JVM's JIT compilers are quiet: on a 2-core machine, C2 compiling through the window took most
 * of a core from each of a cell's two JVMs and tripled the tail latency the cell reported (the
 * figures are in docs/benchmarks.md). Each result says how long its warm-up took and how many
 * milliseconds the JIT compiled during the window.
 */
final class Measurement {

    private Measurement() {}

    /**
     * What one cell measured. {@code value} is per second, in {@code unit}; {@code tls} is the
     * protocol and cipher suite a TLS cell negotiated ({@code "TLSv1.3 TLS_AES_128_GCM_SHA256"}),
     * or empty.
     */
    record Result(String impl, String workload, int connections, double seconds, long count, double value,
            String unit, double cpuSecondsPerSecond, String tls, Window window) {

        Result(String impl, String workload, int connections, double seconds, long count, double value,
                String unit, double cpuSecondsPerSecond, Window window) {
            this(impl, workload, connections, seconds, count, value, unit, cpuSecondsPerSecond, "", window);
        }

        /** This result with what the TLS cell negotiated. */
        Result withTls(String negotiated) {
            return new Result(impl, workload, connections, seconds, count, value, unit, cpuSecondsPerSecond,
                    negotiated, window);
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
                            + "\"value\":%.3f,\"unit\":\"%s\",\"cpu\":%.3f,\"runtime\":\"java %s\"%s%s%s}",
                    impl, workload, connections, seconds, count, value, unit, cpuSecondsPerSecond,
                    Runtime.version(), tls.isEmpty() ? "" : ",\"tls\":\"" + tls + "\"", window.toJson(), more);
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
        double warmupSeconds = warmUp(warmup, failure);
        long count0 = counter.getAsLong();
        long cpu0 = cpuNanos();
        long jit0 = jitMillis();
        long t0 = System.nanoTime();
        sleepChecking(measure, failure);
        long count1 = counter.getAsLong();
        long t1 = System.nanoTime();
        long cpu1 = cpuNanos();
        double seconds = (t1 - t0) / 1e9;
        long count = count1 - count0;
        return new Result(impl, workload, connections, seconds, count, count * scale / seconds, unit,
                (cpu1 - cpu0) / 1e9 / seconds, new Window(warmupSeconds, jitMillis() - jit0));
    }

    /**
     * How a measured window was prepared: the warm-up before it, s, and the milliseconds this
     * JVM's JIT compilers spent compiling during it (summed over compiler threads).
     */
    record Window(double warmupSeconds, long jitMillis) {

        /** For a result that is not a timed window (the idle-memory cell): not printed. */
        static final Window NONE = new Window(0, -1);

        String toJson() {
            return jitMillis < 0 ? "" : String.format(Locale.ROOT, ",\"warmup\":%.1f,\"jitMs\":%d", warmupSeconds, jitMillis);
        }
    }

    /** After a warm-up, the JIT counts as quiet once it compiled less than this in one {@link #JIT_PROBE}. */
    static final long JIT_QUIET_MILLIS = 20;
    static final Duration JIT_PROBE = Duration.ofSeconds(1);
    /** {@code -Dweft.bench.fixedWarmup=true}: the warm-up is exactly the minimum (to measure a JVM's first seconds). */
    static final String FIXED_WARMUP_PROPERTY = "weft.bench.fixedWarmup";
    /** The most a warm-up waits for a quiet JIT beyond the minimum asked for. */
    static final Duration JIT_WAIT_LIMIT = Duration.ofSeconds(20);

    /**
     * Sleeps {@code minimum}, then {@link #JIT_PROBE} at a time until the JIT compiled for less than
     * {@link #JIT_QUIET_MILLIS} in one, at most {@link #JIT_WAIT_LIMIT} longer; returns the
     * seconds it took. Fails early as {@link #sleepChecking}.
     */
    static double warmUp(Duration minimum, AtomicReference<Throwable> failure) throws Exception {
        long t0 = System.nanoTime();
        sleepChecking(minimum, failure);
        long limit = System.nanoTime() + (Boolean.getBoolean(FIXED_WARMUP_PROPERTY) ? 0 : JIT_WAIT_LIMIT.toNanos());
        for (long before = jitMillis(); before >= 0 && System.nanoTime() < limit; ) {
            sleepChecking(JIT_PROBE, failure);
            long now = jitMillis();
            if (now - before < JIT_QUIET_MILLIS) {
                break;
            }
            before = now;
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Milliseconds this JVM's JIT has spent compiling so far, or -1 where the JVM does not say. */
    static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
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

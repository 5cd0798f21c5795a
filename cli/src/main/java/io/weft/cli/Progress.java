package io.weft.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The demo's live progress on stderr: on a terminal one status line with a progress bar,
 * redrawn four times a second; otherwise one plain line a second, so logs and CI output stay
 * readable. Used by the main thread only.
 */
final class Progress {

    private final PrintStream err;
    private final Duration total;
    private final boolean terminal;
    private boolean drawn;
    /** When the last line was drawn, for {@link #runUntil} to resume from. */
    private long resumeNanos;

    Progress(PrintStream err, Duration total) {
        this.err = err;
        this.total = total;
        this.terminal = Terminal.stderrIsTerminal();
    }

    /** Draws until {@code total} has passed since {@code startNanos}. */
    void run(Workload load, long startNanos) throws InterruptedException {
        runUntil(load, startNanos, startNanos + total.toNanos());
    }

    /**
     * Draws from {@code startNanos} until {@code untilNanos}, then returns; a later call goes on
     * from there (the progress bar still counts against the whole {@code total}).
     */
    void runUntil(Workload load, long startNanos, long untilNanos) throws InterruptedException {
        long intervalNanos = terminal ? 250_000_000L : 1_000_000_000L;
        long endNanos = Math.min(untilNanos, startNanos + total.toNanos());
        long lastNanos = Math.max(startNanos, resumeNanos);
        long lastBulk = load.bulkBytes.sum();
        long lastRequests = load.requests.sum();
        long next = startNanos + intervalNanos * ((lastNanos - startNanos) / intervalNanos + 1);
        while (true) {
            long now = System.nanoTime();
            if (now >= endNanos) {
                resumeNanos = lastNanos;
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(next, endNanos) - now);
            now = System.nanoTime();
            next += intervalNanos;
            long bulk = load.bulkBytes.sum();
            long requests = load.requests.sum();
            Duration window = Duration.ofNanos(now - lastNanos);
            Duration elapsed = Duration.ofNanos(now - startNanos);
            Duration rtt = load.pingRtts.isEmpty() ? Duration.ZERO : last(load);
            String stats = load.probeLoadedLatency.count() == 0 && requests == 0
                    ? String.format("probe alone (no load yet): p50 %s  p99 %s",
                            Format.millis(load.probeIdleLatency.percentile(50)),
                            Format.millis(load.probeIdleLatency.percentile(99)))
                    : String.format("bulk %s  req %s p99 %s  probe p99 %s  streams %s  rtt %s",
                            Format.byteRate(bulk - lastBulk, window), Format.rate(requests - lastRequests, window),
                            Format.millis(load.requestLatency.percentile(99)),
                            Format.millis(load.probeLoadedLatency.percentile(99)),
                            Format.count(load.streamsOpened.sum()), Format.millis(rtt));
            if (terminal) {
                String line = Terminal.bar(elapsed.toNanos() / (double) total.toNanos(), 20) + " "
                        + Format.seconds(elapsed) + "/" + GoDuration.format(total) + "  " + stats;
                int width = Terminal.columns() - 1;
                err.print("\r" + (line.length() > width ? line.substring(0, width) : line) + "\033[K");
                drawn = true;
            } else {
                err.println("  " + Format.seconds(elapsed) + "  " + stats);
            }
            err.flush();
            lastNanos = now;
            lastBulk = bulk;
            lastRequests = requests;
        }
    }

    /** Erases the status line, if one was drawn, so the summary starts on a clean line. */
    void clear() {
        if (terminal && drawn) {
            err.print("\r\033[K");
            err.flush();
            drawn = false;
        }
    }

    private static Duration last(Workload load) {
        Duration d = Duration.ZERO;
        for (Duration x : load.pingRtts) {
            d = x;
        }
        return d;
    }
}

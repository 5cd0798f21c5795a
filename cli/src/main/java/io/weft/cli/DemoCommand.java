package io.weft.cli;

import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code weft demo}: a yamux server and client in one process over loopback TCP on netpoll,
 * driven by a realistic mix (a bulk stream, hundreds of request/response streams, stream churn,
 * pings) with live progress on stderr and a summary on stdout. Exit 0 only when every byte was
 * verified.
 *
 * <p>A latency probe (one stream, one small request at a time on a platform thread of its own)
 * runs alone for the first fifth of the run (at most 1 s), then beside the load, and the summary
 * prints both: how much a bulk transfer and hundreds of busy streams slow an interactive stream
 * down is the figure a tunnel user feels.
 *
 * <p>Threads: the main thread sets up, draws progress and prints the summary; the server's
 * accept loop and every workload worker run on virtual threads.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, addMethodSubcommands = false,
        description = {
            "Runs a yamux client and server in this process over loopback TCP for a while,"
                    + " under a realistic load, and prints a summary. Every byte sent is checked;"
                    + " the exit code is 0 only when all of them came back intact."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  weft demo                               10 seconds, 200 request streams",
            "  weft demo --duration 3s --streams 50    a quick one",
            "  weft demo --request-size 1KiB --chunk-size 256KiB",
            "",
            "Progress goes to stderr (a redrawn line on a terminal, one line a second",
            "otherwise); the summary goes to stdout."
        })
final class DemoCommand implements Callable<Integer> {

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", converter = GoDuration.class,
            defaultValue = "10s", description = "How long to run (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "200",
            description = "Concurrent request/response streams (default: ${DEFAULT-VALUE}).")
    int requestStreams;

    @Option(names = "--churn", paramLabel = "N", defaultValue = "8",
            description = "Workers opening and closing short streams back to back (default: ${DEFAULT-VALUE}).")
    int churnWorkers;

    @Option(names = "--request-size", paramLabel = "SIZE", converter = ByteSize.class, defaultValue = "256",
            description = "Bytes per request and per response (default: ${DEFAULT-VALUE}).")
    long requestBytes;

    @Option(names = "--chunk-size", paramLabel = "SIZE", converter = ByteSize.class, defaultValue = "64KiB",
            description = "Write size on the bulk stream (default: ${DEFAULT-VALUE}).")
    long chunkBytes;

    @Option(names = "--probe-size", paramLabel = "SIZE", converter = ByteSize.class, defaultValue = "64",
            description = "Bytes per request and response on the latency probe stream (default: ${DEFAULT-VALUE}).")
    long probeBytes;

    @Option(names = "--churn-size", paramLabel = "SIZE", converter = ByteSize.class, defaultValue = "1KiB",
            description = "Bytes sent on each churn stream (default: ${DEFAULT-VALUE}).")
    long churnBytes;

    @Option(names = "--ping-interval", paramLabel = "DURATION", converter = GoDuration.class,
            defaultValue = "250ms", description = "Time between pings (default: ${DEFAULT-VALUE}).")
    Duration pingInterval;

    @Mixin
    SessionOptions sessionOptions;

    /** {@link System#nanoTime()} when the load started after the probe's time alone; 0 before. */
    private volatile long loadStartNanos;

    @Override
    public Integer call() throws Exception {
        validate();
        YamuxConfig config = sessionOptions.toConfig();
        try (LoopbackPair pair = LoopbackPair.start(config)) {
            return runLoad(pair.client, System.err);
        }
    }

    private int runLoad(Session client, PrintStream err) throws InterruptedException {
        Workload load = new Workload(client);
        Progress progress = new Progress(err, duration);
        Shutdown.install(Duration.ofSeconds(2));
        long startNanos = System.nanoTime();
        Shutdown.register(budget -> {
            load.stop();
            load.awaitWorkers(budget);
        });
        Shutdown.onExitReport(() -> {
            progress.clear();
            long now = System.nanoTime();
            long loadedFrom = loadStartNanos;
            summary(load, Duration.ofNanos(now - startNanos), Duration.ofNanos(loadedFrom == 0 ? 0 : now - loadedFrom),
                    System.out, true);
        });
        load.startProbe((int) probeBytes, 4);
        progress.runUntil(load, startNanos, startNanos + idlePhase().toNanos());
        load.markLoaded();
        loadStartNanos = System.nanoTime();
        load.startBulk((int) chunkBytes, 42);
        load.startRequests(requestStreams, (int) requestBytes, 4242);
        load.startChurn(churnWorkers, (int) churnBytes, 424242);
        load.startPings(pingInterval);
        progress.run(load, startNanos);
        load.stop();
        boolean ended = load.awaitWorkers(Duration.ofSeconds(15));
        long endNanos = System.nanoTime();
        progress.clear();
        boolean ok = summary(load, Duration.ofNanos(endNanos - startNanos), Duration.ofNanos(endNanos - loadStartNanos),
                System.out, false) && ended;
        if (!ended) {
            System.out.println("FAILED: workers did not finish within 15s of the end");
        }
        return ok ? Failures.OK : Failures.IO;
    }

    /**
     * Prints the table; returns whether every byte was verified. Rates are over {@code loaded},
     * the time since the load started (the probe ran alone before that).
     */
    private boolean summary(Workload load, Duration elapsed, Duration loaded, PrintStream out, boolean interrupted) {
        List<Duration> rtts = List.copyOf(load.pingRtts);
        long bulk = load.bulkBytes.sum();
        long requests = load.requests.sum();
        out.println();
        out.printf("weft demo: %s of yamux over loopback TCP (1 session, %d request streams, %d churn workers)%n",
                Format.seconds(elapsed), requestStreams, churnWorkers);
        out.println();
        out.printf("  %-16s %-22s %s%n", "bulk stream", ByteSize.format(bulk) + " echoed",
                Format.byteRate(bulk, loaded));
        out.printf("  %-16s %-22s %-14s p50 %s   p99 %s   (%s each way)%n", "requests", Format.count(requests),
                Format.rate(requests, loaded), Format.millis(load.requestLatency.percentile(50)),
                Format.millis(load.requestLatency.percentile(99)), ByteSize.format(requestBytes));
        out.printf("  %-16s %-22s idle p50 %s   p99 %s   loaded p50 %s   p99 %s%n", "latency probe",
                ByteSize.format(probeBytes) + ", 1 at a time", Format.millis(load.probeIdleLatency.percentile(50)),
                Format.millis(load.probeIdleLatency.percentile(99)), Format.millis(load.probeLoadedLatency.percentile(50)),
                Format.millis(load.probeLoadedLatency.percentile(99)));
        out.printf("  %-16s %-22s churn %s%n", "streams opened", Format.count(load.streamsOpened.sum()),
                Format.rate(load.churnStreams.sum(), loaded));
        if (rtts.isEmpty()) {
            out.printf("  %-16s %s%n", "ping RTT", "no pings completed");
        } else {
            long min = rtts.stream().mapToLong(Duration::toNanos).min().orElse(0);
            long max = rtts.stream().mapToLong(Duration::toNanos).max().orElse(0);
            long avg = Math.round(rtts.stream().mapToLong(Duration::toNanos).average().orElse(0));
            out.printf("  %-16s min %s   avg %s   max %s   (%d pings)%n", "ping RTT", Format.millis(Duration.ofNanos(min)),
                    Format.millis(Duration.ofNanos(avg)), Format.millis(Duration.ofNanos(max)), rtts.size());
        }
        long verified = load.bytesVerified.sum();
        out.printf("  %-16s %-22s %s%n", "bytes verified", ByteSize.format(verified) + " (" + Format.count(verified) + ")",
                "CRC-32C on the bulk stream, byte compare on the rest; " + load.mismatches.sum() + " mismatches");
        out.println();
        boolean ok = load.allVerified() && verified > 0;
        if (interrupted) {
            out.println("INTERRUPTED: stopped early; the counts above are what was verified so far.");
        } else if (ok) {
            out.println("OK: every byte verified.");
        } else {
            Throwable first = load.firstFailure.get();
            out.println("FAILED: " + load.failures.sum() + " exchanges failed, " + load.mismatches.sum()
                    + " mismatches" + (first != null ? "; first: " + Failures.describe(first) : ""));
        }
        out.flush();
        return ok;
    }

    /** The probe's time alone: a fifth of the run, at most 1 s. */
    private Duration idlePhase() {
        Duration fifth = duration.dividedBy(5);
        return fifth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : fifth;
    }

    private void validate() {
        if (duration.isZero()) {
            throw new IllegalArgumentException("--duration must be more than 0s");
        }
        // No request streams would leave the summary's latency line empty (p50 0.000 ms): refuse.
        if (requestStreams < 1) {
            throw new IllegalArgumentException("--streams must be at least 1");
        }
        if (churnWorkers < 0) {
            throw new IllegalArgumentException("--churn must not be negative (0: no churn workers)");
        }
        if (requestBytes < 1 || requestBytes > 16 << 20 || churnBytes < 1 || churnBytes > 16 << 20
                || probeBytes < 1 || probeBytes > 16 << 20) {
            throw new IllegalArgumentException("--request-size, --churn-size and --probe-size must be from 1 byte to 16MiB");
        }
        if (chunkBytes < 1 || chunkBytes > 16 << 20) {
            throw new IllegalArgumentException("--chunk-size must be from 1 byte to 16MiB");
        }
    }
}

package io.weft.cli;

import io.weft.netpoll.tls.TlsConfig;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code weft bench}: three end-to-end workloads, one after the other, against an echo peer —
 * the in-process loopback echo server by default, or {@code weft echo} (or any yamux echo peer)
 * at an address: bulk throughput on one stream, 64-byte request/response rate over concurrent
 * streams, and stream churn. Every echoed byte is verified. A human table on stdout, or JSON
 * with {@code --json}. Runs on the main thread; workload workers are virtual threads.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, addMethodSubcommands = false,
        description = "Measures bulk throughput, request/response rate and stream churn against a yamux echo peer.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  weft bench                          in-process, over loopback TCP",
            "  weft bench --json > bench.json",
            "  weft echo --listen :7000 &  weft bench localhost:7000 --duration 5s",
            "  weft bench --tls                    in-process, over TLS",
            "  weft bench --tls-pin sha256:... host:7000    a TLS echo peer",
            "",
            "The full comparison harness (Go yamux, raw TCP, JMH) lives in the bench/ module."
        })
final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "ADDR", converter = Address.Converter.class,
            description = "An echo peer (weft echo, or any yamux echo server); default: one in this process.")
    Address address;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", converter = GoDuration.class, defaultValue = "3s",
            description = "Time per workload (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "64",
            description = "Concurrent streams for request/response and churn workers (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--size", paramLabel = "SIZE", converter = ByteSize.class, defaultValue = "64",
            description = "Request and churn message size (default: ${DEFAULT-VALUE} bytes).")
    long sizeBytes;

    @Option(names = "--chunk-size", paramLabel = "SIZE", converter = ByteSize.class, defaultValue = "64KiB",
            description = "Write size for the bulk workload (default: ${DEFAULT-VALUE}).")
    long chunkBytes;

    @Option(names = "--json", description = "Print the results as one JSON object on stdout.")
    boolean json;

    @Mixin
    TokenOption tokenOption;

    @Mixin
    TlsOptions tlsOptions;

    @Mixin
    SessionOptions sessionOptions;

    record Results(double bulkBytesPerSecond, long bulkBytes, double requestsPerSecond, Duration p50, Duration p99,
            double churnPerSecond, long bytesVerified, boolean verified) {}

    /** A workload and how long it ran: the full duration, or until SIGINT/SIGTERM for the one in progress. */
    private record Run(Workload workload, long startNanos, long endNanos) {
        double seconds() {
            return Math.max(1, (endNanos == 0 ? System.nanoTime() : endNanos) - startNanos) / 1e9;
        }
    }

    // Written by the main thread, read by the shutdown hook for the partial results.
    private final AtomicReferenceArray<Run> runs = new AtomicReferenceArray<>(3);

    @Override
    public Integer call() throws Exception {
        if (duration.isZero() || streams < 1 || sizeBytes < 1 || sizeBytes > 1 << 20
                || chunkBytes < 1 || chunkBytes > 16 << 20) {
            throw new IllegalArgumentException(
                    "need --duration > 0s, --streams >= 1, --size from 1 byte to 1MiB, --chunk-size up to 16MiB");
        }
        YamuxConfig config = sessionOptions.toConfig();
        Token token = tokenOption.read();
        Duration timeout = tlsOptions.handshakeTimeout();
        if (address == null) {
            if (tlsOptions.serverUsesTls() || tlsOptions.ca != null || tlsOptions.pin != null
                    || tlsOptions.serverName != null) {
                throw new IllegalArgumentException("in-process bench: --tls is the only TLS option"
                        + " (it generates a certificate); the others need an ADDR to connect to");
            }
            Handshake server = Handshake.PLAIN;
            Handshake client = Handshake.PLAIN;
            if (tlsOptions.tls) {
                InProcessTls tls = InProcessTls.generate();
                server = Handshake.server(tls.server(timeout), token, timeout);
                client = Handshake.client(tls.client(timeout), "127.0.0.1", token, timeout);
            } else if (token != null) {
                server = Handshake.server(null, token, timeout);
                client = Handshake.client(null, null, token, timeout);
            }
            try (LoopbackPair pair = LoopbackPair.start(config, server, client)) {
                return runAndPrint(pair.client);
            }
        }
        TlsConfig tls = tlsOptions.forClient();
        Handshake handshake = Handshake.client(tls, tls == null ? null : tlsOptions.serverName(address), token, timeout);
        try (Session session = Session.client(handshake.run(Endpoints.dial(address), true), config)) {
            return runAndPrint(session);
        }
    }

    private int runAndPrint(Session session) throws InterruptedException, IOException {
        Shutdown.install(Duration.ofSeconds(2));
        Shutdown.register(budget -> {
            for (int i = 0; i < runs.length(); i++) {
                Run run = runs.get(i);
                if (run != null && run.endNanos() == 0) {
                    run.workload().stop();
                    run.workload().awaitWorkers(budget);
                }
            }
            session.goAway();
        });
        // Interrupted: what was measured so far, on stderr (stdout gets only complete results).
        Shutdown.onExitReport(() -> {
            long now = System.nanoTime();
            Run[] sofar = new Run[3];
            for (int i = 0; i < sofar.length; i++) {
                Run run = runs.get(i);
                sofar[i] = run == null || run.endNanos() != 0 ? run : new Run(run.workload(), run.startNanos(), now);
            }
            System.err.println("weft bench: interrupted; partial results:");
            printTable(sofar, System.err);
        });
        progress("bulk");
        measure(0, session, w -> w.startBulk((int) chunkBytes, 1));
        progress("request/response");
        measure(1, session, w -> w.startRequests(streams, (int) sizeBytes, 2));
        progress("stream churn");
        measure(2, session, w -> w.startChurn(streams, (int) sizeBytes, 3));
        Run[] done = {runs.get(0), runs.get(1), runs.get(2)};
        Throwable firstFailure = null;
        for (Run run : done) {
            Throwable failure = run.workload().firstFailure.get();
            if (failure != null) {
                System.err.println("weft bench: " + Failures.describe(failure));
                firstFailure = firstFailure == null ? failure : firstFailure;
            }
        }
        Results r = results(done);
        print(r, System.out);
        if (r.verified()) {
            return Failures.OK;
        }
        // The same mapping as every command: a protocol error is 3, a keepalive timeout 4. The
        // session's own cause is the most specific (a workload only sees "session closed").
        IOException sessionCause = session.closeCause();
        if (sessionCause != null && !Sessions.endedCleanly(sessionCause)) {
            return Failures.exitCode(sessionCause);
        }
        return firstFailure != null ? Failures.exitCode(firstFailure) : Failures.IO;
    }

    private static Results results(Run[] runs) {
        Workload bulk = runs[0].workload();
        Workload req = runs[1].workload();
        Workload churn = runs[2].workload();
        boolean verified = bulk.allVerified() && req.allVerified() && churn.allVerified();
        return new Results(bulk.bulkBytes.sum() / runs[0].seconds(), bulk.bulkBytes.sum(),
                req.requests.sum() / runs[1].seconds(), req.requestLatency.percentile(50),
                req.requestLatency.percentile(99), churn.churnStreams.sum() / runs[2].seconds(),
                bulk.bytesVerified.sum() + req.bytesVerified.sum() + churn.bytesVerified.sum(), verified);
    }

    private interface Starter {
        void start(Workload w);
    }

    private void measure(int index, Session session, Starter starter) throws InterruptedException, IOException {
        Workload w = new Workload(session);
        long startNanos = System.nanoTime();
        runs.set(index, new Run(w, startNanos, 0));
        starter.start(w);
        TimeUnit.NANOSECONDS.sleep(duration.toNanos());
        w.stop();
        // The rate counts the measured duration, as before: workers only finish their exchange.
        runs.set(index, new Run(w, startNanos, startNanos + duration.toNanos()));
        if (!w.awaitWorkers(Duration.ofSeconds(15))) {
            throw new IOException("workers did not finish within 15s of the end of the workload");
        }
    }

    private void progress(String workload) {
        if (!json) {
            System.err.println("weft bench: " + workload + " for " + GoDuration.format(duration) + "...");
        }
    }

    /** The table's rows for the workloads that ran (all three, or those begun before an interrupt). */
    private void printTable(Run[] runs, PrintStream out) {
        out.printf("  %-18s %-20s %s%n", "workload", "result", "detail");
        if (runs[0] != null) {
            Workload bulk = runs[0].workload();
            out.printf("  %-18s %-20s %s%n", "bulk", ByteSize.format((long) (bulk.bulkBytes.sum() / runs[0].seconds())) + "/s",
                    "1 stream, " + ByteSize.format(chunkBytes) + " writes, " + ByteSize.format(bulk.bulkBytes.sum())
                            + " echoed" + ranFor(runs[0]));
        }
        if (runs[1] != null) {
            Workload req = runs[1].workload();
            out.printf("  %-18s %-20s %s%n", "request/response",
                    Format.count(Math.round(req.requests.sum() / runs[1].seconds())) + " ops/s",
                    streams + " streams, " + ByteSize.format(sizeBytes) + ", p50 "
                            + Format.millis(req.requestLatency.percentile(50)) + ", p99 "
                            + Format.millis(req.requestLatency.percentile(99)) + ranFor(runs[1]));
        }
        if (runs[2] != null) {
            Workload churn = runs[2].workload();
            out.printf("  %-18s %-20s %s%n", "stream churn",
                    Format.count(Math.round(churn.churnStreams.sum() / runs[2].seconds())) + " streams/s",
                    streams + " workers, open + " + ByteSize.format(sizeBytes) + " echo + close" + ranFor(runs[2]));
        }
    }

    /** ", ran 1.2s" for a workload cut short; nothing for one that ran its full duration. */
    private String ranFor(Run run) {
        long ran = run.endNanos() - run.startNanos();
        return ran >= duration.toNanos() ? "" : ", ran " + GoDuration.format(Duration.ofMillis(ran / 1_000_000));
    }

    private void print(Results r, PrintStream out) {
        String over = tlsOptions.tls || (address != null && tlsOptions.clientUsesTls()) ? "TLS over " : "";
        String target = address == null ? "in-process echo over " + over + "loopback TCP" : "echo peer at " + address
                + (over.isEmpty() ? "" : " over TLS");
        if (json) {
            out.println(String.format(Locale.ROOT,
                    "{\"target\":\"%s\",\"durationSeconds\":%.3f,\"streams\":%d,\"sizeBytes\":%d,\"chunkBytes\":%d,"
                            + "\"bulkBytesPerSecond\":%.0f,\"requestsPerSecond\":%.0f,\"requestP50Micros\":%d,"
                            + "\"requestP99Micros\":%d,\"churnStreamsPerSecond\":%.0f,\"bytesVerified\":%d,\"verified\":%b}",
                    address == null ? "in-process" : address.toString().replace("\"", "\\\""), duration.toNanos() / 1e9,
                    streams, sizeBytes, chunkBytes, r.bulkBytesPerSecond(), r.requestsPerSecond(),
                    r.p50().toNanos() / 1000, r.p99().toNanos() / 1000, r.churnPerSecond(), r.bytesVerified(), r.verified()));
            return;
        }
        out.println("weft bench: " + target + ", " + GoDuration.format(duration) + " per workload");
        out.println();
        printTable(new Run[] {runs.get(0), runs.get(1), runs.get(2)}, out);
        out.println();
        out.println(r.verified() ? "OK: " + ByteSize.format(r.bytesVerified()) + " echoed and verified."
                : "FAILED: some echoes were missing or wrong (see stderr).");
    }
}

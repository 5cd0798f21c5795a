package io.weft.cli;

import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
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
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures bulk throughput, request/response rate and stream churn against a yamux echo peer.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  weft bench                          in-process, over loopback TCP",
            "  weft bench --json > bench.json",
            "  weft echo --listen :7000 &  weft bench localhost:7000 --duration 5s",
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
    SessionOptions sessionOptions;

    record Results(double bulkBytesPerSecond, long bulkBytes, double requestsPerSecond, Duration p50, Duration p99,
            double churnPerSecond, long bytesVerified, boolean verified) {}

    @Override
    public Integer call() throws Exception {
        if (duration.isZero() || streams < 1 || sizeBytes < 1 || sizeBytes > 1 << 20
                || chunkBytes < 1 || chunkBytes > 16 << 20) {
            throw new IllegalArgumentException(
                    "need --duration > 0s, --streams >= 1, --size from 1 byte to 1MiB, --chunk-size up to 16MiB");
        }
        YamuxConfig config = sessionOptions.toConfig();
        Results r;
        if (address == null) {
            try (LoopbackPair pair = LoopbackPair.start(config)) {
                r = run(pair.client);
            }
        } else {
            try (Session session = Session.client(Endpoints.dial(address), config)) {
                r = run(session);
            }
        }
        print(r, System.out);
        return r.verified() ? Failures.OK : Failures.IO;
    }

    private Results run(Session session) throws InterruptedException, IOException {
        progress("bulk");
        Workload bulk = measure(session, w -> w.startBulk((int) chunkBytes, 1));
        progress("request/response");
        Workload req = measure(session, w -> w.startRequests(streams, (int) sizeBytes, 2));
        progress("stream churn");
        Workload churn = measure(session, w -> w.startChurn(streams, (int) sizeBytes, 3));
        double seconds = duration.toNanos() / 1e9;
        boolean verified = bulk.allVerified() && req.allVerified() && churn.allVerified();
        for (Workload w : new Workload[] {bulk, req, churn}) {
            if (w.firstFailure.get() != null) {
                System.err.println("weft bench: " + Failures.describe(w.firstFailure.get()));
            }
        }
        return new Results(bulk.bulkBytes.sum() / seconds, bulk.bulkBytes.sum(), req.requests.sum() / seconds,
                req.requestLatency.percentile(50), req.requestLatency.percentile(99), churn.churnStreams.sum() / seconds,
                bulk.bytesVerified.sum() + req.bytesVerified.sum() + churn.bytesVerified.sum(), verified);
    }

    private interface Starter {
        void start(Workload w);
    }

    private Workload measure(Session session, Starter starter) throws InterruptedException, IOException {
        Workload w = new Workload(session);
        starter.start(w);
        TimeUnit.NANOSECONDS.sleep(duration.toNanos());
        w.stop();
        if (!w.awaitWorkers(Duration.ofSeconds(15))) {
            throw new IOException("workers did not finish within 15s of the end of the workload");
        }
        return w;
    }

    private void progress(String workload) {
        if (!json) {
            System.err.println("weft bench: " + workload + " for " + GoDuration.format(duration) + "...");
        }
    }

    private void print(Results r, PrintStream out) {
        String target = address == null ? "in-process echo over loopback TCP" : "echo peer at " + address;
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
        out.printf("  %-18s %-20s %s%n", "workload", "result", "detail");
        out.printf("  %-18s %-20s %s%n", "bulk", ByteSize.format((long) r.bulkBytesPerSecond()) + "/s",
                "1 stream, " + ByteSize.format(chunkBytes) + " writes, " + ByteSize.format(r.bulkBytes()) + " echoed");
        out.printf("  %-18s %-20s %s%n", "request/response", Format.count(Math.round(r.requestsPerSecond())) + " ops/s",
                streams + " streams, " + ByteSize.format(sizeBytes) + ", p50 " + Format.millis(r.p50()) + ", p99 "
                        + Format.millis(r.p99()));
        out.printf("  %-18s %-20s %s%n", "stream churn", Format.count(Math.round(r.churnPerSecond())) + " streams/s",
                streams + " workers, open + " + ByteSize.format(sizeBytes) + " echo + close");
        out.println();
        out.println(r.verified() ? "OK: " + ByteSize.format(r.bytesVerified()) + " echoed and verified."
                : "FAILED: some echoes were missing or wrong (see stderr).");
    }
}

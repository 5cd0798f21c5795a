package io.weft.bench;

import io.weft.netpoll.Conn;
import io.weft.yamux.MemoryBudget;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Java side of the multi-stream cells of the {@code yamux2} suite (issue 12), speaking what
 * the Go peer speaks. Every stream (or, over raw TCP, every connection) starts with a one-byte tag
 * that tells the server what to do with it:
 *
 * <ul>
 *   <li>{@code B}: the server writes 64 KiB chunks nonstop (bulk);
 *   <li>{@code R}: the server echoes 64-byte messages (request/response);
 *   <li>{@code C}: the server reads the rest of a 1 KiB message, writes 1 KiB back and closes (churn);
 *   <li>{@code M} (workload {@code idle}): the control stream of the idle-memory cell.
 * </ul>
 *
 * Client workloads: {@code lub} (64 B round trips on one stream beside one bulk stream of the same
 * session: round trips/s, latency percentiles in µs and the bulk MB/s meanwhile), {@code bulk8}
 * (8 bulk streams, MB/s in total), {@code churn} (16 workers each open a stream, echo 1 KiB and
 * close it: streams/s) and {@code idle} (N idle streams, each with one blocked reader on the
 * server, which reports its RSS and heap per stream). Loops run on threads of the given builder
 * (virtual or platform); the caller's thread only times them.
 */
final class MuxCells {

    /** Client workloads served by this class rather than the single-stream loops. */
    static final Set<String> WORKLOADS = Set.of("lub", "bulk8", "churn", "idle");

    /** Streams of the {@code bulk8} cell. */
    static final int BULK_STREAMS = 8;

    /** Workers of the {@code churn} cell, each with one stream open at a time. */
    static final int CHURN_WORKERS = 16;

    /** The message a churn stream echoes once, bytes (the tag is its first byte). */
    static final int CHURN_MESSAGE_BYTES = 1024;

    /** Makes one stream: a yamux stream of the session, or a new TCP connection (raw). */
    interface Opener {
        Conn open() throws IOException;
    }

    /** Waits for the next stream (or connection). */
    interface Acceptor {
        Conn accept() throws IOException;
    }

    private MuxCells() {}

    /**
     * The session configuration of the cells (and of {@code bulk} and {@code rr}): the defaults, except for {@code idle}, whose
     * streams must not be refused by the default stream limit or memory budget. For experiments
     * by hand (the harness sets neither): {@code -Dweft.bench.sessionThreads=platform} runs the
     * session's reader and writer on platform threads, {@code -Dweft.bench.notSentLowWaterBytes=N}
     * sets {@link YamuxConfig#notSentLowWaterBytes()}, {@code -Dweft.bench.windowAutoTuning=false}
     * turns {@link YamuxConfig#windowAutoTuning()} off.
     */
    static YamuxConfig config(String workload, int streams) {
        if (workload.equals("idle")) {
            return YamuxConfig.builder().maxInboundStreams(streams + 16).memoryBudget(MemoryBudget.unlimited()).build();
        }
        YamuxConfig.Builder builder = YamuxConfig.builder();
        if ("platform".equals(System.getProperty("weft.bench.sessionThreads"))) {
            builder.threadFactory(Thread.ofPlatform().daemon().name("yamux-", 0).factory());
        }
        String lowWater = System.getProperty("weft.bench.notSentLowWaterBytes");
        if (lowWater != null) {
            builder.notSentLowWaterBytes(Integer.parseInt(lowWater));
        }
        String autoTuning = System.getProperty("weft.bench.windowAutoTuning");
        if (autoTuning != null) {
            builder.windowAutoTuning(Boolean.parseBoolean(autoTuning));
        }
        return builder.build();
    }

    /**
     * Server: accepts streams on a thread of {@code threads} and serves each by its tag on another,
     * until accepting fails; {@code ended} counts down when accepting or a bulk or echo stream fails
     * (the client has gone).
     */
    static void serve(Acceptor acceptor, Thread.Builder threads, CountDownLatch ended) {
        threads.start(() -> {
            try {
                while (true) {
                    Conn stream = acceptor.accept();
                    threads.start(() -> handle(stream, ended));
                }
            } catch (IOException e) {
                ended.countDown();
            }
        });
    }

    private static void handle(Conn stream, CountDownLatch ended) {
        ByteBuffer tag = ByteBuffer.allocate(1);
        try (stream) {
            Workloads.readFully(stream, tag);
            switch (tag.get(0)) {
                case 'B' -> Workloads.bulkSend(stream, false);
                case 'R' -> Workloads.echo(stream, false);
                case 'C' -> {
                    // A heap buffer per stream, as the Go twin's make([]byte, 1024): a direct one
                    // (malloc, zeroing, a Cleaner) cost the server ~8 % of its worker CPU in this cell.
                    ByteBuffer message = Workloads.buffer(CHURN_MESSAGE_BYTES, true);
                    message.position(1);
                    Workloads.readFully(stream, message);
                    message.flip();
                    Workloads.writeFully(stream, message);
                    return;
                }
                default -> throw new IOException("unknown stream tag " + tag.get(0));
            }
        } catch (IOException e) {
            ended.countDown(); // a bulk or echo stream fails only when the client leaves
        }
    }

    /** Client: runs {@code workload} (not {@code idle}) and returns its JSON line. */
    static String client(String workload, Opener opener, Thread.Builder threads, Duration warmup, Duration measure,
            String impl) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        LongAdder primary = new LongAdder();
        LongAdder bulkBytes = new LongAdder();
        LatencyHistogram latency = new LatencyHistogram();
        AtomicBoolean recording = new AtomicBoolean();
        int streams;
        switch (workload) {
            case "lub" -> {
                streams = 2;
                Conn bulk = tagged(opener.open(), 'B');
                Conn rr = tagged(opener.open(), 'R');
                loop(threads, failure, () -> Workloads.bulkReceive(bulk, false, bulkBytes));
                loop(threads, failure, () -> timedPingPong(rr, primary, latency, recording));
            }
            case "bulk8" -> {
                streams = BULK_STREAMS;
                for (int i = 0; i < BULK_STREAMS; i++) {
                    Conn bulk = tagged(opener.open(), 'B');
                    loop(threads, failure, () -> Workloads.bulkReceive(bulk, false, primary));
                }
            }
            case "churn" -> {
                streams = CHURN_WORKERS;
                for (int i = 0; i < CHURN_WORKERS; i++) {
                    loop(threads, failure, () -> churn(opener, primary));
                }
            }
            default -> throw new IllegalArgumentException("--workload must be lub, bulk8, churn or idle");
        }
        long firstDeadline = System.nanoTime() + 20_000_000_000L; // warm-up counts from the first result
        while (primary.sum() == 0 && failure.get() == null && System.nanoTime() < firstDeadline) {
            Thread.sleep(5); // polling a counter the loops own; not synchronisation of the loops
        }
        double warmupSeconds = Measurement.warmUp(warmup, failure);
        recording.set(true);
        long count0 = primary.sum();
        long bulk0 = bulkBytes.sum();
        long cpu0 = Measurement.cpuNanos();
        long jit0 = Measurement.jitMillis();
        long t0 = System.nanoTime();
        Measurement.sleepChecking(measure, failure);
        recording.set(false);
        long count = primary.sum() - count0;
        long bulk = bulkBytes.sum() - bulk0;
        long t1 = System.nanoTime();
        double seconds = (t1 - t0) / 1e9;
        double cpu = (Measurement.cpuNanos() - cpu0) / 1e9 / seconds;
        Map<String, Double> extras = new LinkedHashMap<>();
        String unit = switch (workload) {
            case "lub" -> {
                extras.put("bulk", bulk / 1e6 / seconds);
                extras.put("p50", latency.percentileMicros(50));
                extras.put("p90", latency.percentileMicros(90));
                extras.put("p99", latency.percentileMicros(99));
                extras.put("p999", latency.percentileMicros(99.9));
                extras.put("max", (double) latency.maxMicros());
                yield "rt/s";
            }
            case "bulk8" -> "MB/s";
            default -> "streams/s";
        };
        double value = count * (workload.equals("bulk8") ? 1e-6 : 1) / seconds;
        return new Measurement.Result(impl, workload, streams, seconds, count, value, unit, cpu,
                new Measurement.Window(warmupSeconds, Measurement.jitMillis() - jit0)).toJson(extras);
    }

    /** Round trips as {@link Workloads#pingPong}, each timed into {@code latency} while {@code recording}. */
    private static void timedPingPong(Conn stream, LongAdder roundTrips, LatencyHistogram latency,
            AtomicBoolean recording) throws IOException {
        ByteBuffer message = Workloads.buffer(Workloads.MESSAGE_BYTES, false);
        while (true) {
            message.clear();
            long start = System.nanoTime();
            Workloads.writeFully(stream, message);
            message.clear();
            Workloads.readFully(stream, message);
            long nanos = System.nanoTime() - start;
            if (recording.get()) {
                latency.recordNanos(nanos);
            }
            roundTrips.increment();
        }
    }

    private static void churn(Opener opener, LongAdder streams) throws IOException {
        ByteBuffer message = Workloads.buffer(CHURN_MESSAGE_BYTES, false);
        while (true) {
            Conn stream = opener.open();
            try (stream) {
                message.clear();
                message.put(0, (byte) 'C');
                Workloads.writeFully(stream, message);
                message.clear();
                Workloads.readFully(stream, message);
            }
            streams.increment();
        }
    }

    /**
     * Server of {@code idle}: accepts the control stream, then {@code streams} streams, reading the
     * one byte each carries; measures heap (after a full GC) per accepted idle stream, starts one
     * blocked reader per stream, waits until every reader is parked, measures RSS and heap again
     * and writes the JSON line on the control stream.
     */
    static void serveIdle(Session session, int streams) throws Exception {
        Conn control = session.acceptStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        Workloads.readFully(control, one);
        long rss0 = rssKiB();
        long heap0 = heapAfterGc();
        List<Conn> idle = new ArrayList<>(streams);
        long cpu0 = Measurement.cpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            Conn stream = session.acceptStream();
            one.clear();
            Workloads.readFully(stream, one);
            idle.add(stream);
        }
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        double openCpu = (Measurement.cpuNanos() - cpu0) / 1e9 / openSeconds;
        long heapAccepted = heapAfterGc();
        List<Thread> readers = new ArrayList<>(streams);
        for (Conn stream : idle) {
            readers.add(Thread.ofVirtual().start(() -> {
                try {
                    stream.read(ByteBuffer.allocate(1));
                } catch (IOException e) {
                    // the client has gone
                }
            }));
        }
        for (Thread reader : readers) {
            while (reader.getState() != Thread.State.WAITING && reader.getState() != Thread.State.TIMED_WAITING) {
                Thread.sleep(1); // until this reader is parked in read: a measuring precondition, not a test
            }
        }
        long heapReaders = heapAfterGc();
        long rss1 = rssKiB();
        Map<String, Double> extras = new LinkedHashMap<>();
        extras.put("heap", (heapAccepted - heap0) / 1024.0 / streams);
        extras.put("heapReaders", (heapReaders - heap0) / 1024.0 / streams);
        extras.put("rssMiB", rss1 / 1024.0);
        String json = new Measurement.Result("weft-yamux", "idle", streams, openSeconds, streams,
                (rss1 - rss0) / (double) streams, "KiB", openCpu, Measurement.Window.NONE).toJson(extras);
        Workloads.writeFully(control, ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8)));
        control.close();
        session.closeFuture().join(); // until the client leaves; keeps the streams and readers alive
    }

    /** Client of {@code idle}: opens the control stream and {@code streams} idle ones; returns the server's line. */
    static String idleClient(Opener opener, int streams) throws IOException {
        Conn control = tagged(opener.open(), 'M');
        List<Conn> idle = new ArrayList<>(streams);
        for (int i = 0; i < streams; i++) {
            idle.add(tagged(opener.open(), 'I'));
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(control),
                StandardCharsets.UTF_8));
        String line = in.readLine();
        if (line == null) {
            throw new IOException("the server closed the control stream without a result");
        }
        return line; // the streams stay open until this process exits
    }

    private static Conn tagged(Conn stream, char tag) throws IOException {
        Workloads.writeFully(stream, ByteBuffer.wrap(new byte[] {(byte) tag}));
        return stream;
    }

    /** A loop body that ends by throwing. */
    private interface Loop {
        void run() throws IOException;
    }

    private static void loop(Thread.Builder threads, AtomicReference<Throwable> failure, Loop body) {
        threads.start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
    }

    private static long heapAfterGc() {
        System.gc(); // a full collection with G1 (no -XX:+ExplicitGCInvokesConcurrent in the cells)
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** This process's resident set size, KiB, from {@code /proc/self/status}; 0 where there is none. */
    static long rssKiB() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

}

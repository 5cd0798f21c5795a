package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;

/**
 * The traffic {@code weft demo} and {@code weft bench} drive against an echo peer, with every
 * byte checked: a bulk stream (CRC-32C of all bytes sent against all bytes echoed), request/response
 * streams and churn streams (each echo compared byte for byte), and pings.
 *
 * <p>Threads: each {@code start*} call starts virtual worker threads that run until
 * {@link #stop()}; counters are updated by workers and read at any time by the reporting thread.
 * {@link #awaitWorkers} joins them.
 */
final class Workload {

    private static final System.Logger LOG = System.getLogger("io.weft.cli.workload");

    final LongAdder bulkBytes = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder streamsOpened = new LongAdder();
    final LongAdder churnStreams = new LongAdder();
    final LongAdder bytesVerified = new LongAdder();
    final LongAdder mismatches = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LatencyHistogram requestLatency = new LatencyHistogram();
    /** The probe stream's round trips before the other workloads started (see {@link #startProbe}). */
    final LatencyHistogram probeIdleLatency = new LatencyHistogram();
    /** The probe stream's round trips once the other workloads run. */
    final LatencyHistogram probeLoadedLatency = new LatencyHistogram();
    final ConcurrentLinkedQueue<Duration> pingRtts = new ConcurrentLinkedQueue<>();
    final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    private final Session session;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean stopping;
    /** Set by {@link #markLoaded()}: the probe records into {@link #probeLoadedLatency} from then on. */
    private volatile boolean loaded;

    Workload(Session session) {
        this.session = session;
    }

    /** One stream carrying {@code chunkBytes} writes for the whole run, echoed and checksummed. */
    void startBulk(int chunkBytes, long seed) {
        spawn("bulk", () -> bulk(chunkBytes, seed));
    }

    /** {@code streams} long-lived streams, each doing request/response of {@code sizeBytes} in a loop. */
    void startRequests(int streams, int sizeBytes, long seed) {
        for (int i = 0; i < streams; i++) {
            long s = seed + i;
            spawn("request " + i, () -> requests(sizeBytes, s));
        }
    }

    /** {@code workers} loops that open a stream, send {@code sizeBytes}, half-close, read the echo, close. */
    void startChurn(int workerCount, int sizeBytes, long seed) {
        for (int i = 0; i < workerCount; i++) {
            long s = seed + 1000 + i;
            spawn("churn " + i, () -> churn(sizeBytes, s));
        }
    }

    /**
     * The latency probe: one stream doing one {@code sizeBytes} request/response at a time, as an
     * interactive session would (a shell beside a download), on a platform thread of its own so
     * the figure is the multiplexer's, not the wait for a carrier among the other workers'
     * virtual threads. Its round trips go to {@link #probeIdleLatency} until {@link #markLoaded()},
     * then to {@link #probeLoadedLatency}.
     */
    void startProbe(int sizeBytes, long seed) {
        Thread probe = Thread.ofPlatform().daemon().name("workload probe").unstarted(() -> run("probe", () -> probe(sizeBytes, seed)));
        workers.add(probe);
        probe.start();
    }

    /** From now on the probe's round trips count as under load. */
    void markLoaded() {
        loaded = true;
    }

    /** A ping every {@code interval}. */
    void startPings(Duration interval) {
        spawn("ping", () -> {
            while (!stopping) {
                pingRtts.add(session.ping());
                sleepUnlessStopping(interval);
            }
        });
    }

    /** Asks every worker to finish its current exchange and end cleanly. */
    void stop() {
        stopping = true;
    }

    /** Waits for the workers; returns whether all ended in time. */
    boolean awaitWorkers(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : workers) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    /** Whether every exchange completed and every byte matched. */
    boolean allVerified() {
        return failures.sum() == 0 && mismatches.sum() == 0;
    }

    private interface Job {
        void run() throws IOException, InterruptedException;
    }

    private void spawn(String name, Job job) {
        workers.add(Thread.ofVirtual().name("workload " + name).start(() -> run(name, job)));
    }

    private void run(String name, Job job) {
        try {
            job.run();
        } catch (IOException | RuntimeException e) {
            failures.increment();
            if (firstFailure.compareAndSet(null, e)) {
                LOG.log(System.Logger.Level.WARNING, name + " failed", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void bulk(int chunkBytes, long seed) throws IOException, InterruptedException {
        try (Stream stream = open()) {
            CRC32C sent = new CRC32C();
            long[] sentBytes = new long[1];
            AtomicReference<IOException> writeFailure = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().name("workload bulk writer").start(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                byte[] chunk = new byte[chunkBytes];
                try {
                    while (!stopping) {
                        random.nextBytes(chunk);
                        sent.update(chunk);
                        stream.write(ByteBuffer.wrap(chunk));
                        sentBytes[0] += chunk.length;
                    }
                    stream.closeWrite();
                } catch (IOException e) {
                    writeFailure.set(e);
                }
            });
            CRC32C received = new CRC32C();
            long receivedBytes = 0;
            ByteBuffer buf = ByteBuffer.allocate(Math.max(chunkBytes, 64 * 1024));
            int n;
            while ((n = stream.read(buf.clear())) >= 0) {
                buf.flip();
                received.update(buf);
                receivedBytes += n;
                bulkBytes.add(n);
            }
            writer.join();
            if (writeFailure.get() != null) {
                throw writeFailure.get();
            }
            if (receivedBytes == sentBytes[0] && received.getValue() == sent.getValue()) {
                bytesVerified.add(receivedBytes);
            } else {
                mismatches.increment();
                throw new IOException("bulk stream: sent " + sentBytes[0] + " bytes (crc32c "
                        + Long.toHexString(sent.getValue()) + "), echoed " + receivedBytes + " (crc32c "
                        + Long.toHexString(received.getValue()) + ")");
            }
        }
    }

    private void requests(int sizeBytes, long seed) throws IOException {
        exchanges("request", sizeBytes, seed, false);
    }

    private void probe(int sizeBytes, long seed) throws IOException {
        exchanges("probe", sizeBytes, seed, true);
    }

    /** One stream, one request/response after another, until stopped; the probe records into its own histograms. */
    private void exchanges(String what, int sizeBytes, long seed, boolean probe) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] request = new byte[sizeBytes];
        ByteBuffer response = ByteBuffer.allocate(sizeBytes);
        try (Stream stream = open()) {
            while (!stopping) {
                random.nextBytes(request);
                long start = System.nanoTime();
                stream.write(ByteBuffer.wrap(request));
                readFully(stream, response.clear());
                long nanos = System.nanoTime() - start;
                verify(request, response);
                if (probe) {
                    (loaded ? probeLoadedLatency : probeIdleLatency).record(nanos);
                } else {
                    requestLatency.record(nanos);
                    requests.increment();
                }
            }
            stream.closeWrite();
            if (stream.read(response.clear()) >= 0) {
                throw new IOException(what + " stream " + stream.id() + ": data after the last echo");
            }
        }
    }

    private void churn(int sizeBytes, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] request = new byte[sizeBytes];
        ByteBuffer response = ByteBuffer.allocate(sizeBytes);
        while (!stopping) {
            random.nextBytes(request);
            try (Stream stream = open()) {
                stream.write(ByteBuffer.wrap(request));
                stream.closeWrite();
                readFully(stream, response.clear());
                if (stream.read(ByteBuffer.allocate(1)) >= 0) {
                    throw new IOException("churn stream " + stream.id() + ": data after the echo");
                }
            }
            verify(request, response);
            churnStreams.increment();
        }
    }

    private Stream open() throws IOException {
        Stream s = session.openStream();
        streamsOpened.increment();
        return s;
    }

    private void verify(byte[] expected, ByteBuffer actual) throws IOException {
        if (!Arrays.equals(expected, 0, expected.length, actual.array(), 0, actual.position())) {
            mismatches.increment();
            throw new IOException("echo differs from the request (" + expected.length + " bytes)");
        }
        bytesVerified.add(expected.length);
    }

    /** Reads until {@code buf} is full; EOF before that is an error. */
    static void readFully(Conn conn, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (conn.read(buf) < 0) {
                throw new EOFException("stream ended after " + buf.position() + " of " + buf.limit() + " bytes");
            }
        }
    }

    private void sleepUnlessStopping(Duration interval) throws InterruptedException {
        long end = System.nanoTime() + interval.toNanos();
        while (!stopping && System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }
}

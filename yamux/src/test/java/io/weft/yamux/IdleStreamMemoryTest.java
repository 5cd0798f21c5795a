package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an idle stream costs in heap: a server session accepts N streams, each of which received
 * one small message, and a virtual thread per stream reads it and then stays blocked in
 * {@link Stream#read}. The cost per stream is the growth of the live heap between two stream
 * counts, divided by the streams added, from class histograms (each one follows a full GC; the
 * smallest of a few is kept). The blocked callers' own threads (their {@code VirtualThread},
 * continuation and stack chunks, and the test's lambdas) are the application's, not Weft's, and
 * are counted apart.
 *
 * <p>The peer is not a Weft session but raw frames written by the test, so every Weft object in
 * the heap belongs to the measured server end.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class IdleStreamMemoryTest {
    /** The goal: at most 1 KiB of Weft's own heap per idle stream. */
    private static final long MAX_WEFT_BYTES_PER_STREAM = 1024;
    private static final int BATCH = 1000;
    private static final byte[] MESSAGE = "hello".getBytes();
    /** Target of the second, blocking read of every stream; no bytes ever arrive for it. */
    private static final ByteBuffer NEVER_FILLED = ByteBuffer.allocate(1);
    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    @Test
    void idleStreamHoldsAtMostOneKibOfWeftHeap() throws Exception {
        Figures figures = measure(2 * BATCH, 10 * BATCH);
        System.out.println(figures.report());
        assertThat(figures.weftBytesPerStream()).as(figures.report()).isLessThanOrEqualTo(MAX_WEFT_BYTES_PER_STREAM);
    }

    @Test
    @Tag("stress")
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void hundredThousandIdleStreamsHoldAtMostOneKibOfWeftHeapEach() throws Exception {
        Figures figures = measure(10 * BATCH, 100 * BATCH);
        System.out.println(figures.report());
        assertThat(figures.weftBytesPerStream()).as(figures.report()).isLessThanOrEqualTo(MAX_WEFT_BYTES_PER_STREAM);
    }

    /** Opens {@code baseline} streams, takes the baseline histogram, opens {@code measured} more, takes the second. */
    private static Figures measure(int baseline, int measured) throws Exception {
        int total = baseline + measured;
        YamuxConfig config = YamuxConfig.builder()
                .keepAliveEnabled(false)
                .acceptBacklog(BATCH)
                .maxInboundStreams(total)
                .memoryBudget(MemoryBudget.unlimited())
                .build();
        PipeConn[] pipe = PipeConn.pair(64 * 1024);
        Thread[] readers = new Thread[total]; // allocated before the baseline: not counted
        AtomicInteger accepted = new AtomicInteger();
        Session server = Session.server(pipe[1], config);
        Thread drainer = Thread.ofVirtual().start(() -> drain(pipe[0]));
        Thread acceptor = Thread.ofVirtual().start(() -> accept(server, readers, accepted));
        try {
            openBatches(pipe[0], 0, baseline, readers, accepted);
            Map<String, long[]> before = histogram();
            openBatches(pipe[0], baseline, total, readers, accepted);
            Map<String, long[]> after = histogram();
            long rss = rssBytes();
            assertThat(server.streamCount()).isEqualTo(total);
            server.close();
            pipe[0].close();
            drainer.join(10_000);
            acceptor.join(10_000);
            for (Thread reader : readers) {
                reader.join(10_000);
            }
            java.util.Arrays.fill(readers, null);
            return new Figures(measured, before, after, parkedThreads(measured), rss, total);
        } finally {
            server.close();
            pipe[0].close();
        }
    }

    /**
     * The control: what {@code count} virtual threads parked with no stream cost, class by class
     * (the JDK's thread bookkeeping beside the thread objects, such as its thread container's entry).
     */
    private static Map<String, long[]> parkedThreads(int count) throws Exception {
        Map<String, long[]> before = histogram();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread[] threads = new Thread[count];
        for (int i = 0; i < count; i++) {
            threads[i] = Thread.ofVirtual().start(() -> awaitQuietly(release));
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> allBlocked(threads, 0, count));
        Map<String, long[]> after = histogram();
        release.countDown();
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        Map<String, long[]> growth = new HashMap<>();
        after.forEach((name, a) -> {
            long[] b = before.getOrDefault(name, new long[2]);
            growth.put(name, new long[] {a[0] - b[0], a[1] - b[1]});
        });
        return growth;
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Opens streams [from, to) in batches of {@link #BATCH}, waiting for each batch's readers to block. */
    private static void openBatches(PipeConn peer, int from, int to, Thread[] readers, AtomicInteger accepted)
            throws IOException {
        for (int start = from; start < to; start += BATCH) {
            int end = Math.min(to, start + BATCH);
            ByteBuffer frames = ByteBuffer.allocate((end - start) * (2 * FrameHeader.SIZE + MESSAGE.length));
            byte[] header = new byte[FrameHeader.SIZE];
            for (int i = start; i < end; i++) {
                int id = 2 * i + 1;
                FrameHeader.encode(header, 0, FrameType.WINDOW_UPDATE, Flags.SYN, id, 0);
                frames.put(header);
                FrameHeader.encode(header, 0, FrameType.DATA, 0, id, MESSAGE.length);
                frames.put(header).put(MESSAGE);
            }
            frames.flip();
            while (frames.hasRemaining()) {
                peer.write(frames);
            }
            int batchStart = start;
            int batchEnd = end;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> accepted.get() >= batchEnd && allBlocked(readers, batchStart, batchEnd));
        }
    }

    /** Whether readers [from, to) all wait in their second read. */
    private static boolean allBlocked(Thread[] readers, int from, int to) {
        for (int i = from; i < to; i++) {
            if (readers[i].getState() != Thread.State.WAITING) {
                return false;
            }
        }
        return true;
    }

    private static void accept(Session server, Thread[] readers, AtomicInteger accepted) {
        try {
            for (int i = 0; i < readers.length; i++) {
                Stream stream = server.acceptStream();
                readers[i] = Thread.ofVirtual().start(() -> readThenBlock(stream));
                accepted.incrementAndGet();
            }
        } catch (IOException e) {
            // the session closed: the test is over
        }
    }

    /** Reads the one message, then blocks in read until the session closes. */
    private static void readThenBlock(Stream stream) {
        try {
            ByteBuffer message = ByteBuffer.allocate(MESSAGE.length);
            while (message.hasRemaining()) {
                if (stream.read(message) < 0) {
                    return;
                }
            }
            stream.read(NEVER_FILLED); // shared: blocked reads never write to it
        } catch (IOException e) {
            // the session closed: the test is over
        }
    }

    /** The process's resident set from /proc/self/status, or -1 where there is none. */
    private static long rssBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    private static void drain(PipeConn peer) {
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        try {
            while (peer.read(sink.clear()) >= 0) {
                // discard the server's ACKs
            }
        } catch (IOException e) {
            // closed
        }
    }

    /**
     * Live instances and bytes per class (after the full GC the histogram runs), the smallest total
     * of three, so that garbage of a moment (a GC racing with a straggler) does not count.
     */
    private static Map<String, long[]> histogram() throws Exception {
        Map<String, long[]> best = null;
        long bestTotal = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            Map<String, long[]> classes = new HashMap<>();
            long total = 0;
            for (String line : text.split("\n")) {
                Matcher m = HISTOGRAM_LINE.matcher(line);
                if (m.find()) {
                    long bytes = Long.parseLong(m.group(2));
                    classes.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), bytes},
                            (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
                    total += bytes;
                }
            }
            if (total < bestTotal) {
                bestTotal = total;
                best = classes;
            }
        }
        return best;
    }

    /**
     * The growth between two histograms, per added stream, split into Weft's and the callers'
     * threads': the callers' are their stack chunks, this test's lambdas, and whatever the same
     * number of plainly parked virtual threads added ({@code control}).
     */
    private record Figures(int streams, Map<String, long[]> before, Map<String, long[]> after, Map<String, long[]> control,
            long rssBytes, int totalStreams) {

        /** Classes only the blocked callers' threads allocate (their stacks, this test's lambdas). */
        static boolean callerClass(String name) {
            return name.equals("jdk.internal.vm.StackChunk") || name.startsWith(IdleStreamMemoryTest.class.getName());
        }

        /** Not objects at all: the GC's fillers of dead space. */
        static boolean filler(String name) {
            return name.contains("jdk.internal.vm.Filler");
        }

        long growthBytes(String name) {
            long[] a = after.getOrDefault(name, new long[2]);
            long[] b = before.getOrDefault(name, new long[2]);
            return a[1] - b[1];
        }

        /** Of a class's growth, the bytes Weft allocated (none of a caller class, less what the control's threads took). */
        long weftBytes(String name) {
            if (callerClass(name) || filler(name)) {
                return 0;
            }
            return growthBytes(name) - control.getOrDefault(name, new long[2])[1];
        }

        long weftBytesPerStream() {
            return after.keySet().stream().mapToLong(this::weftBytes).sum() / streams;
        }

        long callerBytesPerStream() {
            return after.keySet().stream().filter(n -> !filler(n)).mapToLong(n -> growthBytes(n) - weftBytes(n)).sum() / streams;
        }

        String report() {
            StringBuilder sb = new StringBuilder(String.format("idle streams: %,d measured; per stream: Weft %d B, "
                    + "callers' threads %d B; whole process RSS %d MiB at %,d streams: %d B per stream (-1: unknown)%n"
                    + "  (growth per stream, by class; [control: the same in parked threads])%n",
                    streams, weftBytesPerStream(), callerBytesPerStream(), rssBytes >> 20, totalStreams,
                    rssBytes < 0 ? -1 : rssBytes / totalStreams));
            after.keySet().stream()
                    .filter(n -> !filler(n) && Math.abs(growthBytes(n)) >= streams / 2)
                    .sorted((x, y) -> Long.compare(growthBytes(y), growthBytes(x)))
                    .forEach(n -> {
                        long[] a = after.get(n);
                        long[] b = before.getOrDefault(n, new long[2]);
                        long controlBytes = control.getOrDefault(n, new long[2])[1];
                        sb.append(String.format("  %5.2f x %7.1f B  %s%s%n", (a[0] - b[0]) / (double) streams,
                                growthBytes(n) / (double) streams, n, callerClass(n) ? "  (caller)"
                                        : controlBytes != 0 ? String.format("  [control %.1f B]", controlBytes / (double) streams) : ""));
                    });
            return sb.toString();
        }
    }
}

package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stream lifecycle against real sessions, with time driven by a {@link ManualClock}: the
 * defects the lifecycle redesign fixed (issue 13: 1, 4, 5, 10), each reproduced.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamLifecycleTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private static YamuxConfig config(ManualClock clock) {
        return SessionPair.testConfig().keepAliveEnabled(false).clock(clock).build();
    }

    /**
     * Defect 1: the close timer was armed after the stream lock was released, from state read under
     * it, so closing both ends at once left finished streams with a live 5-minute timer (1,058 of
     * 20,000), pinning them and their session.
     */
    @Test
    void closingBothEndsAtOnceLeavesNoTimerBehind() throws Exception {
        ManualClock clock = new ManualClock();
        int pairs = 20_000;
        PipeConn[] pipe = PipeConn.pair(1024 * 1024);
        YamuxConfig cfg = SessionPair.testConfig().keepAliveEnabled(false).clock(clock)
                .acceptBacklog(pairs).maxInboundStreams(pairs).maxUnackedOutboundStreams(pairs)
                .memoryBudget(MemoryBudget.unlimited()).build(); // 40,000 live streams in one JVM
        try (Session client = Session.client(pipe[0], cfg); Session server = Session.server(pipe[1], cfg)) {
            int periodicTicks = clock.pendingTasks();
            List<Stream> opened = new ArrayList<>(pairs);
            List<Stream> accepted = new ArrayList<>(pairs);
            for (int i = 0; i < pairs; i++) {
                opened.add(client.openStream());
                accepted.add(server.acceptStream(PATIENCE));
            }
            // Every open timer is cancelled by its ACK; wait until the client has seen them all.
            await().atMost(PATIENCE).until(() -> clock.pendingTasks() == periodicTicks);
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> closers = new ArrayList<>();
            for (List<Stream> side : List.of(opened, accepted)) {
                for (int t = 0; t < 2; t++) {
                    int offset = t;
                    closers.add(Thread.ofPlatform().start(() -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        for (int i = offset; i < pairs; i += 2) {
                            side.get(i).close();
                        }
                    }));
                }
            }
            start.countDown();
            for (Thread closer : closers) {
                closer.join();
            }
            await().atMost(PATIENCE).until(() -> client.streamCount() == 0 && server.streamCount() == 0);
            assertThat(clock.pendingTasks()).as("timers left: %s", clock.describePending()).isEqualTo(periodicTicks);
        }
    }

    /**
     * Defect 4: reset() did not fail a writer whose frame was queued: its write returned and its
     * data frame went out after the RST.
     */
    @Test
    void resetWithdrawsAQueuedFrameAndFailsItsWriter() throws Exception {
        ManualClock clock = new ManualClock();
        PipeConn[] pipe = PipeConn.pair(64 * 1024);
        PipeConn raw = pipe[1];
        try (Session client = Session.client(pipe[0], config(clock))) {
            Stream bulk = client.openStream();
            Stream small = client.openStream();
            // The connection takes nothing for now: whoever flushes first is stuck in its write.
            pipe[0].pauseWrites(true);
            CompletableFuture<Integer> bulkWrite = CompletableFuture.supplyAsync(() -> write(bulk, 200 * 1024));
            AtomicReference<Throwable> smallFailure = new AtomicReference<>();
            CompletableFuture<Integer> smallWrite = CompletableFuture.supplyAsync(() -> {
                try {
                    return small.write(ByteBuffer.allocate(1000));
                } catch (IOException e) {
                    smallFailure.set(e);
                    return -1;
                }
            });
            await().atMost(PATIENCE).until(() -> client.outbound.queuedDataFrames(small.id()) == 1);
            small.reset(7);
            assertThat(smallWrite.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(-1);
            assertThat(smallFailure.get()).isInstanceOf(StreamResetException.class);
            assertThat(((StreamResetException) smallFailure.get()).errorCode()).isEqualTo(7);
            pipe[0].pauseWrites(false);
            // Drain the wire: the small stream's RST is there, and none of its data, before or after.
            boolean rstSeen = false;
            long bulkBytes = 0;
            while (bulkBytes < 200 * 1024 || !rstSeen) {
                FrameHeader header = receive(raw);
                if (header.streamId() == small.id()) {
                    assertThat(header.type()).as("no data of a reset stream reaches the wire").isNotEqualTo(FrameType.DATA);
                    rstSeen |= (header.flags() & Flags.RST) != 0;
                } else if (header.type() == FrameType.DATA) {
                    bulkBytes += header.length();
                }
            }
            assertThat(bulkWrite.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(200 * 1024);
        }
    }

    /** Defect 5: a stream reset by the peer before it was accepted stayed in the accept queue. */
    @Test
    void aStreamResetBeforeItIsAcceptedIsNeverHandedOut() throws Exception {
        PipeConn[] pipe = PipeConn.pair(64 * 1024);
        PipeConn raw = pipe[0];
        try (Session server = Session.server(pipe[1], config(new ManualClock()))) {
            send(raw, new FrameHeader(FrameType.WINDOW_UPDATE, Flags.SYN, 1, 0));
            send(raw, new FrameHeader(FrameType.WINDOW_UPDATE, Flags.RST, 1, 0));
            send(raw, new FrameHeader(FrameType.WINDOW_UPDATE, Flags.SYN | Flags.RST, 3, 0));
            send(raw, new FrameHeader(FrameType.WINDOW_UPDATE, Flags.SYN, 5, 0));
            // The reader answers this ping after every frame before it: then nothing is in flight.
            send(raw, new FrameHeader(FrameType.PING, Flags.SYN, 0, 99));
            while (true) {
                FrameHeader h = receive(raw);
                if (h.type() == FrameType.PING) {
                    assertThat(h.length()).isEqualTo(99);
                    break;
                }
            }
            Stream accepted = server.acceptStream(PATIENCE);
            assertThat(accepted.id()).isEqualTo(5);
            assertThat(server.streamCount()).isEqualTo(1);
            assertThat(server.stats().streamsReset()).isEqualTo(2);
        }
    }

    /**
     * Defect 10: streamOpenTimeout reset healthy streams to peers that ACK lazily (rust-yamux ACKs
     * with the accepting side's first frame): a stream carrying our data must not be reset. One
     * that carried nothing still is.
     */
    @Test
    void theOpenTimeoutSparesAStreamCarryingDataToALazyAckPeer() throws Exception {
        ManualClock clock = new ManualClock();
        PipeConn[] pipe = PipeConn.pair(1024 * 1024);
        PipeConn raw = pipe[1];
        YamuxConfig cfg = SessionPair.testConfig().keepAliveEnabled(false).clock(clock)
                .streamOpenTimeout(Duration.ofSeconds(75)).build();
        try (Session client = Session.client(pipe[0], cfg)) {
            Stream talking = client.openStream();
            Stream silent = client.openStream();
            talking.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            clock.advance(Duration.ofSeconds(76));
            assertThat(silent.isOpen()).as("no ACK and no data: reset").isFalse();
            assertThat(talking.isOpen()).isTrue();
            assertThat(talking.write(ByteBuffer.wrap(new byte[] {4}))).isEqualTo(1);
            // On the wire: both SYNs, the data, the silent stream's RST, and nothing else for the talker.
            List<String> frames = new ArrayList<>();
            while (frames.size() < 5) {
                FrameHeader h = receive(raw);
                frames.add(h.type() + "/" + h.flags() + "/" + h.streamId());
            }
            assertThat(frames).containsExactly(
                    "WINDOW_UPDATE/" + Flags.SYN + "/" + talking.id(),
                    "WINDOW_UPDATE/" + Flags.SYN + "/" + silent.id(),
                    "DATA/0/" + talking.id(),
                    "WINDOW_UPDATE/" + Flags.RST + "/" + silent.id(),
                    "DATA/0/" + talking.id());
            // The lazy ACK arrives with the peer's first frame, and the slot is freed.
            send(raw, new FrameHeader(FrameType.WINDOW_UPDATE, Flags.ACK, talking.id(), 0));
            await().atMost(PATIENCE).until(() -> !talking.openTimerArmed());
        }
    }

    /** Streams opened and reset by the peer while the application accepts and reads them: none is left behind. */
    @Test
    void rapidOpenAndResetWhileAcceptingLeavesNoStreamBehind() throws Exception {
        PipeConn[] pipe = PipeConn.pair(1024 * 1024);
        PipeConn raw = pipe[0];
        try (Session server = Session.server(pipe[1], config(new ManualClock()))) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Stream s = server.acceptStream();
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                s.read(ByteBuffer.allocate(64 * 1024));
                            } catch (IOException expected) {
                                // reset
                            }
                        });
                    }
                } catch (IOException sessionClosed) {
                    // done
                }
            });
            Thread drainer = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        receive(raw);
                    }
                } catch (IOException end) {
                    // closed
                }
            });
            int streams = 20_000;
            ByteBuffer frames = ByteBuffer.allocate(2 * FrameHeader.SIZE);
            for (int i = 0; i < streams; i++) {
                int id = 2 * i + 1;
                frames.clear();
                new FrameHeader(FrameType.WINDOW_UPDATE, Flags.SYN, id, 0).encode(frames);
                new FrameHeader(FrameType.WINDOW_UPDATE, Flags.RST, id, 0).encode(frames);
                raw.write(frames.flip());
            }
            await().atMost(PATIENCE).until(() -> server.stats().streamsReset() >= streams - server.stats().streamsRefused());
            await().atMost(PATIENCE).until(() -> server.streamCount() == 0);
            acceptor.interrupt();
            drainer.interrupt();
        }
    }

    private static int write(Stream stream, int bytes) {
        try {
            return stream.write(ByteBuffer.allocate(bytes));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static void send(PipeConn raw, FrameHeader header) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(FrameHeader.SIZE);
        header.encode(frame);
        raw.write(frame.flip());
    }

    private static FrameHeader receive(PipeConn raw) throws IOException {
        return RawFrames.readFrame(raw);
    }
}

package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.DeadlineExceededException;
import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The control-queue rule (issue 13, defects 8 and 15): application threads never wait for
 * control-queue space; only the session reader throttles a peer that does not read, by not
 * reading from it while the queue is over its limit; and every ping of a peer that reads is
 * answered. The peer is a raw pipe end that writes frames by hand and reads only when told to.
 * Timeouts run on a {@link ManualClock} that never moves, so the write-stall watchdog cannot end
 * a session whose peer stopped reading.
 */
@Timeout(60)
class ControlQueueTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final int PIPE_BYTES = 16 * 1024;

    private final ManualClock clock = new ManualClock();
    private final PipeConn[] pipe = PipeConn.pair(PIPE_BYTES);
    private final PipeConn raw = pipe[1];
    private final List<Session> sessions = new ArrayList<>();

    @AfterEach
    void closeEverything() {
        for (Session session : sessions) {
            session.close();
        }
        raw.close();
    }

    private Session client(YamuxConfig.Builder config) {
        Session session = Session.client(pipe[0], config.keepAliveEnabled(false).windowAutoTuning(false)
                .clock(clock).build());
        sessions.add(session);
        return session;
    }

    /** Writes {@code bytes} to the raw end on a thread of its own (it blocks while Weft does not read). */
    private CompletableFuture<Void> writeAsync(byte[] bytes) {
        return CompletableFuture.runAsync(() -> {
            try {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    raw.write(buffer);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, task -> Thread.ofVirtual().start(task));
    }

    private static byte[] frames(int count, java.util.function.IntFunction<FrameHeader> frame) {
        ByteBuffer out = ByteBuffer.allocate(count * FrameHeader.SIZE);
        for (int i = 0; i < count; i++) {
            frame.apply(i).encode(out);
        }
        return out.array();
    }

    private FrameHeader receive() throws IOException {
        return RawFrames.readHeader(raw);
    }

    @Test
    void readWithADeadlineReturnsWhileThePeerLetsControlFramesPileUp() throws Exception {
        // Defect 8: a read that had a window update to send waited, uninterruptibly and past its
        // deadline, for control-queue space that a peer which does not read never frees.
        Session session = client(YamuxConfig.builder().acceptBacklog(1));
        int dataBytes = 200 * 1024;
        ByteBuffer opening = ByteBuffer.allocate(2 * FrameHeader.SIZE + dataBytes);
        FrameHeader.windowUpdate(2, Flags.SYN, 0).encode(opening);
        FrameHeader.data(2, 0, dataBytes).encode(opening);
        writeAsync(opening.array()).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        Stream stream = session.acceptStream(PATIENCE);
        // Every SYN after the first is refused (backlog 1): one RST each, which nobody reads.
        CompletableFuture<Void> flood = writeAsync(frames(20_000,
                i -> FrameHeader.windowUpdate(4 + 2 * i, Flags.SYN, 0)));
        await().atMost(PATIENCE).until(() -> session.outbound.controlQueued() >= Outbound.CONTROL_QUEUE_LIMIT);

        Future<Integer> bytesRead = CompletableFuture.supplyAsync(() -> {
            try {
                stream.setReadDeadline(Instant.now().plusMillis(200));
                byte[] buffer = new byte[dataBytes];
                int total = 0;
                while (total < dataBytes) {
                    total += stream.read(ByteBuffer.wrap(buffer, total, dataBytes - total)); // sends a window update
                }
                stream.read(ByteBuffer.allocate(1)); // nothing more comes: must end at the deadline
                return -1;
            } catch (DeadlineExceededException e) {
                return dataBytes;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, task -> Thread.ofVirtual().start(task));
        assertThat(bytesRead.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(dataBytes);
        assertThat(flood).isNotDone();
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void pingFloodFromAPeerThatDoesNotReadStopsTheReaderAndEveryPingIsAnsweredOnceItReads()
            throws Exception {
        // Defect 15: replies are never dropped; a peer that does not read is throttled instead:
        // the reader stops reading while the control queue is full, so the queue stays bounded.
        Session session = client(YamuxConfig.builder());
        int pings = 50_000;
        CompletableFuture<Void> flood = writeAsync(frames(pings, i -> FrameHeader.ping(Flags.SYN, i)));
        await().atMost(PATIENCE).until(() -> session.outbound.controlQueued() >= Outbound.CONTROL_QUEUE_LIMIT);
        long pingsRead = session.stats().pingFramesIn();
        assertThat(pingsRead).as("pings the reader took").isLessThan(pings);
        assertThat(flood).as("the reader stopped reading, so the flood's write blocks").isNotDone();
        assertThat(session.outbound.controlQueued()).isLessThanOrEqualTo(Outbound.CONTROL_QUEUE_LIMIT + 1);

        BitSet answered = new BitSet(pings);
        for (int i = 0; i < pings; i++) {
            FrameHeader reply = receive();
            assertThat(reply.type()).isEqualTo(FrameType.PING);
            assertThat(reply.flags()).isEqualTo(Flags.ACK);
            answered.set((int) reply.length());
        }
        assertThat(answered.cardinality()).isEqualTo(pings);
        flood.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(session.outbound.controlQueued()).isLessThanOrEqualTo(Outbound.CONTROL_QUEUE_LIMIT);
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void aThousandConcurrentPingsBetweenTwoSessionsAreAllAnswered() throws Exception {
        raw.close();
        try (SessionPair pair = SessionPair.open(SessionPair.Kind.PIPE,
                SessionPair.testConfig().keepAliveEnabled(false).build(),
                SessionPair.testConfig().keepAliveEnabled(false).build())) {
            List<CompletableFuture<Duration>> pings = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                pings.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return pair.client().ping();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, task -> Thread.ofVirtual().start(task)));
            }
            CompletableFuture.allOf(pings.toArray(CompletableFuture[]::new)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            for (CompletableFuture<Duration> ping : pings) {
                assertThat(ping.join()).isPositive();
            }
        }
    }

    @Test
    void controlFramesFromApplicationThreadsNeverWaitForSpace() throws Exception {
        Session session = client(YamuxConfig.builder());
        // The raw end never reads: after the pipe's 16 KiB the writer is stuck, and the rest queues.
        for (int i = 0; i < 4 * Outbound.CONTROL_QUEUE_LIMIT; i++) {
            assertThat(session.outbound.writeControlLater(FrameType.WINDOW_UPDATE, 0, 1, 1)).isTrue();
        }
        assertThat(session.outbound.controlQueued()).isGreaterThan(Outbound.CONTROL_QUEUE_LIMIT);
        session.close();
        assertThat(session.outbound.writeControlLater(FrameType.WINDOW_UPDATE, 0, 1, 1)).isFalse();
    }
}

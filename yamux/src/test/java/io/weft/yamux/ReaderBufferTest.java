package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The session reader's input buffer: small while quiet, large under load, its spare dropped when idle. No sockets. */
@Timeout(value = 5, unit = TimeUnit.SECONDS)
class ReaderBufferTest {
    private final ManualClock clock = new ManualClock();
    private final ReaderBuffer buffer = new ReaderBuffer(clock);
    private int written;

    /** One read of {@code bytes} (at most the room left), numbered so moved bytes can be checked; returns the buffer in read mode. */
    private ByteBuffer read(int bytes) {
        ByteBuffer in = buffer.beforeRead();
        in.compact();
        int room = in.remaining();
        int n = Math.min(bytes, room);
        for (int i = 0; i < n; i++) {
            in.put((byte) written++);
        }
        buffer.afterRead(n, room);
        return in.flip();
    }

    @Test
    void startsSmallAndStaysSmallForSmallFrames() {
        for (int i = 0; i < 100; i++) {
            ByteBuffer in = read(76); // a 64-byte request and its header
            assertThat(in.capacity()).isEqualTo(ReaderBuffer.SMALL_BYTES);
            in.position(in.limit()); // handled
        }
        assertThat(buffer.holdsSpare()).isFalse();
    }

    @Test
    void aReadThatFillsTheSmallBufferGrowsItKeepingTheUnreadBytes() {
        ByteBuffer in = read(1_000_000);
        assertThat(in.remaining()).isEqualTo(ReaderBuffer.SMALL_BYTES);
        in.position(100); // the frame header and the start of a payload handled
        in = read(1_000_000);
        assertThat(in.capacity()).isEqualTo(ReaderBuffer.LARGE_BYTES);
        assertThat(in.remaining()).as("the unread 3,996 bytes moved, then a full read").isEqualTo(ReaderBuffer.LARGE_BYTES);
        for (int i = 0; i < in.remaining(); i++) {
            assertThat(in.get(in.position() + i)).isEqualTo((byte) (100 + i));
        }
    }

    @Test
    void underBulkTheLargeBufferStaysEvenWhenDrainedAtAFrameBoundary() {
        read(1_000_000).position(ReaderBuffer.SMALL_BYTES);
        for (int i = 0; i < 10; i++) {
            ByteBuffer in = read(65_548); // one 64 KiB frame per read: half the room or more
            assertThat(in.capacity()).isEqualTo(ReaderBuffer.LARGE_BYTES);
            in.position(in.limit());
        }
    }

    @Test
    void aShortReadThatDrainsTheConnectionShrinksToTheSmallBufferAndTheIdleTimerDropsTheSpare() {
        read(1_000_000).position(ReaderBuffer.SMALL_BYTES);
        read(1_000_000).position(1000); // large now, with unread bytes: stays large however short the next read
        assertThat(read(10).capacity()).isEqualTo(ReaderBuffer.LARGE_BYTES);
        ByteBuffer in = buffer.current();
        in.position(in.limit()); // everything handled, and the last read was short
        assertThat(read(76).capacity()).isEqualTo(ReaderBuffer.SMALL_BYTES);
        assertThat(buffer.holdsSpare()).isTrue();

        clock.advance(Duration.ofMillis(500));
        buffer.releaseIdleSpare(clock.nanoTime());
        assertThat(buffer.holdsSpare()).as("kept for the next burst").isTrue();
        clock.advance(Duration.ofMillis(600));
        buffer.releaseIdleSpare(clock.nanoTime());
        assertThat(buffer.holdsSpare()).as("idle for over a second: dropped").isFalse();
    }

    @Test
    void aBurstAfterAPauseReusesTheSpare() {
        read(1_000_000).position(ReaderBuffer.SMALL_BYTES);
        ByteBuffer large = read(100);
        large.position(large.limit());
        read(ReaderBuffer.SMALL_BYTES).position(10); // small, filled: grow again
        assertThat(buffer.holdsSpare()).isTrue();
        assertThat(read(1_000_000)).as("the spare, not a new array").isSameAs(large);
        assertThat(buffer.holdsSpare()).isFalse();
    }

    @Test
    void aSessionReaderGrowsUnderBulkAndHoldsOnlyTheSmallBufferOnceIdle() throws Exception {
        ManualClock sessionClock = new ManualClock();
        YamuxConfig config = SessionPair.testConfig().keepAliveEnabled(false).clock(sessionClock).build();
        try (SessionPair pair = SessionPair.open(SessionPair.Kind.PIPE, config, config)) {
            Stream client = pair.client().openStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    client.write(ByteBuffer.allocate(1 << 20));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Stream server = pair.server().acceptStream();
            ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
            for (long total = 0; total < 1 << 20; ) {
                total += server.read(sink.clear());
            }
            writer.join(5_000);
            client.write(ByteBuffer.wrap(new byte[5])); // a small frame after the bulk: a short read
            assertThat(server.read(sink.clear())).isEqualTo(5);
            ReaderBuffer buffer = pair.server().readerBuffer();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                    .until(() -> buffer.capacityBytes() == ReaderBuffer.SMALL_BYTES && buffer.holdsSpare());

            sessionClock.advance(Duration.ofSeconds(2)); // the session's timer runs: the spare goes
            assertThat(buffer.holdsSpare()).isFalse();
        }
    }
}

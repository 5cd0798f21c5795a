package io.weft.yamux.protocol;

import static io.weft.yamux.protocol.RawPeer.ACK;
import static io.weft.yamux.protocol.RawPeer.FIN;
import static io.weft.yamux.protocol.RawPeer.INITIAL_WINDOW;
import static io.weft.yamux.protocol.RawPeer.PING;
import static io.weft.yamux.protocol.RawPeer.RST;
import static io.weft.yamux.protocol.RawPeer.SYN;
import static io.weft.yamux.protocol.RawPeer.WINDOW_UPDATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.yamux.Stream;
import io.weft.yamux.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The memory bound {@code liveStreams × streamWindowBytes + autoTuneBudgetBytes} (docs/yamux.md)
 * holds for streams that are finished but still hold unread data: such a stream keeps its inbound
 * slot and its window growth until the data is read or discarded.
 */
class MemoryBoundTest extends RawPeerTestBase {
    private final TestClock clock = new TestClock();

    private Stream accept(long id) throws Exception {
        peer.windowUpdate(SYN, id, 0);
        Stream stream = result(async(() -> session.acceptStream()));
        assertThat(Integer.toUnsignedLong(stream.id())).isEqualTo(id);
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        peer.await("ACK for " + id, f -> f.streamId() == id && f.has(ACK));
        return stream;
    }

    /** Finishes {@code stream} by both FINs (the peer's first) without reading its data. */
    private void finishUnread(Stream stream, long id) throws Exception {
        peer.windowUpdate(FIN, id, 0);
        peer.assertAlive(id); // the FIN is applied
        stream.closeWrite();
        peer.await("our FIN on " + id, f -> f.streamId() == id && f.has(FIN));
    }

    @Test
    void aFinishedStreamKeepsItsInboundSlotUntilItsUnreadDataIsRead() throws Exception {
        weftClient(strict().maxInboundStreams(1).build());
        Stream first = accept(2);
        peer.sendData(0, 2, bytes(INITIAL_WINDOW, 1));
        finishUnread(first, 2);

        // 256 KiB of stream 2 are still unread: a second stream would double the bound.
        peer.sendData(SYN, 4, bytes(INITIAL_WINDOW, 2));
        peer.await("RST refusing stream 4", f -> f.streamId() == 4 && f.has(RST));

        assertThat(first.inputStream().readAllBytes()).hasSize(INITIAL_WINDOW);
        Stream next = accept(6);
        assertThat(next.id()).isEqualTo(6);
    }

    @Test
    void closingAFinishedStreamDiscardsItsDataAndFreesItsSlot() throws Exception {
        weftClient(strict().maxInboundStreams(1).build());
        Stream first = accept(2);
        peer.sendData(0, 2, bytes(1000, 3));
        finishUnread(first, 2);
        peer.windowUpdate(SYN, 4, 0);
        peer.await("RST refusing stream 4", f -> f.streamId() == 4 && f.has(RST));
        first.close();
        accept(6);
    }

    @Test
    void aFinishedStreamKeepsItsWindowGrowthUntilItsUnreadDataIsRead() throws Exception {
        // The budget holds exactly one doubling (256 KiB). Stream 2 takes it, then finishes with
        // data unread; stream 4 must not get it back until stream 2's data is read.
        weftClient(clock.install(strict()).windowAutoTuning(true).autoTuneBudgetBytes(INITIAL_WINDOW).build());
        measureALongRtt();

        Stream first = accept(2);
        assertThat(creditAfterASpan(first, 2)).as("stream 2 grows").isEqualTo(INITIAL_WINDOW / 2 + INITIAL_WINDOW);
        peer.sendData(0, 2, bytes(INITIAL_WINDOW, 4)); // unread: the grown window holds it
        finishUnread(first, 2);

        Stream second = accept(4);
        assertThat(creditAfterASpan(second, 4)).as("no budget while stream 2 holds data")
                .isEqualTo(INITIAL_WINDOW / 2);

        assertThat(first.inputStream().readAllBytes()).hasSize(INITIAL_WINDOW / 2 + INITIAL_WINDOW);
        Stream third = accept(6);
        assertThat(creditAfterASpan(third, 6)).as("budget back once stream 2 is drained")
                .isEqualTo(INITIAL_WINDOW / 2 + INITIAL_WINDOW);
    }

    /**
     * The peer answers a ping late on purpose, so the session's RTT sample is long and every
     * window update in this test counts as "within 2 RTT" (the auto-tuning trigger). The session
     * measures on {@link #clock}, so a second of its time passes before the reply, and no wall time.
     */
    private void measureALongRtt() throws Exception {
        Future<Duration> rtt = async(() -> session.ping());
        RawPeer.Frame ping = peer.await("Ping|SYN", f -> f.type() == PING && f.has(SYN));
        clock.advance(Duration.ofSeconds(1));
        peer.ping(ACK, ping.length());
        assertThat(result(rtt)).isEqualTo(Duration.ofSeconds(1));
    }

    /** {@code RecvWindow.SPAN_UPDATES}: auto-tuning decides once per this many window updates. */
    private static final int SPAN_UPDATES = 4;

    /**
     * Fills the initial window, then reads half a window and refills what it read, until a span
     * of window updates has gone out; returns the credit the last update grants.
     */
    private long creditAfterASpan(Stream stream, long id) throws Exception {
        peer.sendData(0, id, bytes(INITIAL_WINDOW, (int) id));
        long credit = 0;
        for (int update = 0; update < SPAN_UPDATES; update++) {
            if (update > 0) {
                peer.sendData(0, id, bytes(INITIAL_WINDOW / 2, (int) id));
            }
            assertThat(stream.inputStream().readNBytes(INITIAL_WINDOW / 2)).hasSize(INITIAL_WINDOW / 2);
            credit = peer.await("window update on " + id, f -> f.is(WINDOW_UPDATE, id) && f.length() > 0).length();
        }
        return credit;
    }
}

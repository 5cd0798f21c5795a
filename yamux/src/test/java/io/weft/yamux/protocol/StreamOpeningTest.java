package io.weft.yamux.protocol;

import static io.weft.yamux.protocol.RawPeer.ACK;
import static io.weft.yamux.protocol.RawPeer.DATA;
import static io.weft.yamux.protocol.RawPeer.FIN;
import static io.weft.yamux.protocol.RawPeer.INITIAL_WINDOW;
import static io.weft.yamux.protocol.RawPeer.RST;
import static io.weft.yamux.protocol.RawPeer.SYN;
import static io.weft.yamux.protocol.RawPeer.WINDOW_UPDATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.DeadlineExceededException;
import io.weft.yamux.Stream;
import io.weft.yamux.StreamResetException;
import io.weft.yamux.TestClock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Opening and accepting streams, ACK timing and the initial window, against a scripted peer. */
class StreamOpeningTest extends RawPeerTestBase {
    private final TestClock clock = new TestClock();

    @Test
    void openSendsWindowUpdateSynAtOnceWithZeroDeltaForTheDefaultWindow() throws Exception {
        weftClient(strict().build());
        Stream stream = session.openStream();
        assertThat(stream.id()).isEqualTo(1);
        RawPeer.Frame syn = peer.read();
        assertThat(syn.version()).isZero();
        assertThat(syn.type()).isEqualTo(WINDOW_UPDATE);
        assertThat(syn.flags()).isEqualTo(SYN);
        assertThat(syn.streamId()).isEqualTo(1);
        assertThat(syn.length()).isZero();
        assertThat(session.openStream().id()).isEqualTo(3);
        assertThat(peer.read().streamId()).isEqualTo(3);
    }

    @Test
    void serverOpensEvenIdsFromTwo() throws Exception {
        weftServer(strict().build());
        assertThat(session.openStream().id()).isEqualTo(2);
        assertThat(session.openStream().id()).isEqualTo(4);
        assertThat(peer.read().streamId()).isEqualTo(2);
    }

    @Test
    void openWithLargerWindowSendsTheExtraAsAnAdditiveDelta() throws Exception {
        weftClient(strict().streamWindowBytes(1024 * 1024).build());
        session.openStream();
        RawPeer.Frame syn = peer.read();
        assertThat(syn.has(SYN)).isTrue();
        assertThat(syn.length()).isEqualTo(1024 * 1024 - INITIAL_WINDOW);
    }

    @Test
    void lazyAckPeerStillReceivesDataWrittenBeforeTheAck() throws Exception {
        weftClient(strict().build());
        Stream stream = session.openStream();
        stream.write(ByteBuffer.wrap("hello".getBytes()));
        peer.await("SYN", f -> f.has(SYN) && f.streamId() == 1);
        byte[] data = peer.readData(1, 5, null);
        assertThat(new String(data)).isEqualTo("hello");
        // The peer acknowledges only with its first reply, as rust-yamux and js do.
        peer.sendData(ACK, 1, "world".getBytes());
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        assertThat(new String(stream.inputStream().readNBytes(5))).isEqualTo("world");
    }

    @Test
    void eagerAckPeerCompletesAnEcho() throws Exception {
        weftClient(strict().build());
        Stream stream = session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        peer.windowUpdate(ACK, 1, 0);
        stream.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(peer.readData(1, 3, null)).containsExactly(1, 2, 3);
        peer.sendData(0, 1, new byte[] {4});
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        assertThat(stream.inputStream().read()).isEqualTo(4);
    }

    @Test
    void acceptSendsTheAckAndLetsDataSentBeforeAcceptThrough() throws Exception {
        weftClient(strict().build());
        peer.sendData(SYN, 2, "early".getBytes());
        Stream stream = result(async(() -> session.acceptStream()));
        assertThat(stream.id()).isEqualTo(2);
        RawPeer.Frame ack = peer.await("ACK for stream 2", f -> f.streamId() == 2 && f.has(ACK));
        assertThat(ack.type()).isEqualTo(WINDOW_UPDATE);
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        assertThat(new String(stream.inputStream().readNBytes(5))).isEqualTo("early");
    }

    @Test
    void peersAdditiveInitialWindowIsAddedToTheDefault() throws Exception {
        weftClient(strict().build());
        // The peer opens with WindowUpdate|SYN carrying 256 KiB extra: our send window is 512 KiB.
        peer.windowUpdate(SYN, 2, INITIAL_WINDOW);
        Stream stream = result(async(() -> session.acceptStream()));
        byte[] payload = bytes(2 * INITIAL_WINDOW + 1, 1);
        Future<Integer> writer = async(() -> stream.write(ByteBuffer.wrap(payload)));
        byte[] firstWindow = peer.readData(2, 2 * INITIAL_WINDOW, null);
        assertThat(firstWindow).isEqualTo(java.util.Arrays.copyOf(payload, 2 * INITIAL_WINDOW));
        peer.assertNone("data beyond the 512 KiB window", f -> f.type() == DATA && f.length() > 0, QUIET);
        assertThat(writer.isDone()).isFalse();
        peer.windowUpdate(0, 2, 1);
        assertThat(peer.readData(2, 1, null)).containsExactly(payload[payload.length - 1]);
        assertThat(result(writer)).isEqualTo(payload.length);
    }

    @Test
    void outgoingDataFramesAreCappedEvenWhenTheWindowIsLarger() throws Exception {
        weftClient(strict().maxDataFrameBytes(16 * 1024).build());
        Stream stream = session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        peer.windowUpdate(ACK, 1, 4 * 1024 * 1024);
        int total = 1024 * 1024;
        Future<Integer> writer = async(() -> stream.write(ByteBuffer.wrap(bytes(total, 2))));
        List<RawPeer.Frame> frames = new ArrayList<>();
        peer.readData(1, total, frames);
        assertThat(frames).allSatisfy(f -> assertThat(f.length()).isLessThanOrEqualTo(16 * 1024));
        assertThat(result(writer)).isEqualTo(total);
    }

    @Test
    void unackedOpensBeyondTheLimitWaitUntilAnAckArrives() throws Exception {
        weftClient(strict().maxUnackedOutboundStreams(4).build());
        for (int i = 0; i < 4; i++) {
            session.openStream(Duration.ofMillis(100));
        }
        // The peer never ACKs: the fifth open waits for a slot and times out.
        Future<Stream> blocked = async(() -> session.openStream(Duration.ofMillis(200)));
        awaitFailure(blocked, DeadlineExceededException.class);
        Future<Stream> waiting = async(() -> session.openStream(TIMEOUT));
        peer.windowUpdate(ACK, 1, 0);
        assertThat(result(waiting).id()).isGreaterThan(7);
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void streamNotAckedWithinTheOpenTimeoutIsResetAloneAndTheSessionLives() throws Exception {
        weftClient(clock.install(strict()).streamOpenTimeout(Duration.ofMillis(200)).build());
        Stream stream = session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        clock.advance(Duration.ofMillis(199));
        assertThat(stream.isOpen()).as("just before the open timeout").isTrue();
        clock.advance(Duration.ofMillis(1));
        RawPeer.Frame rst = peer.await("RST of the un-ACKed stream", f -> f.streamId() == 1 && f.has(RST));
        assertThat(rst.type()).isEqualTo(WINDOW_UPDATE);
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        Future<Integer> read = async(() -> stream.read(ByteBuffer.allocate(1)));
        awaitFailure(read, java.io.IOException.class);
        assertThat(session.isClosed()).isFalse();
        peer.assertAlive(11);
    }

    @Test
    void streamClosedBeforeItsAckIsStillResetByTheOpenTimeoutAndFreesItsSlot() throws Exception {
        // The close timeout (5 min) must not replace the open timeout: the one un-ACKed slot is
        // back after 200 ms, not after 5 minutes.
        weftClient(clock.install(strict()).streamOpenTimeout(Duration.ofMillis(200)).maxUnackedOutboundStreams(1).build());
        Stream stream = session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        stream.close();
        peer.await("FIN", f -> f.streamId() == 1 && f.has(FIN));
        clock.advance(Duration.ofMillis(199));
        assertThat(session.streamCount()).as("just before the open timeout").isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(session.streamCount()).isZero();
        peer.await("RST of the un-ACKed stream", f -> f.streamId() == 1 && f.has(RST));
        assertThat(result(async(() -> session.openStream(TIMEOUT))).id()).isEqualTo(3);
    }

    @Test
    void fullAcceptBacklogRefusesTheStreamWithRstAndKeepsTheSession() throws Exception {
        weftClient(strict().acceptBacklog(4).build());
        for (int id = 2; id <= 8; id += 2) {
            peer.windowUpdate(SYN, id, 0);
        }
        peer.windowUpdate(SYN, 10, 0);
        RawPeer.Frame rst = peer.await("RST for stream 10", f -> f.streamId() == 10 && f.has(RST));
        assertThat(rst.type()).isEqualTo(WINDOW_UPDATE);
        peer.assertAlive(1);
        assertThat(result(async(() -> session.acceptStream())).id()).isEqualTo(2);
        peer.windowUpdate(SYN, 12, 0);
        peer.assertNone("RST for stream 12", f -> f.streamId() == 12 && f.has(RST), QUIET);
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void maxInboundStreamsRefusesFurtherStreamsWithRst() throws Exception {
        weftClient(strict().maxInboundStreams(2).build());
        peer.windowUpdate(SYN, 2, 0);
        peer.windowUpdate(SYN, 4, 0);
        result(async(() -> session.acceptStream()));
        result(async(() -> session.acceptStream()));
        peer.windowUpdate(SYN, 6, 0);
        peer.await("RST for stream 6", f -> f.streamId() == 6 && f.has(RST));
        peer.assertAlive(2);
    }

    @Test
    void refusedOutboundStreamReportsAResetToItsWriterAndReader() throws Exception {
        weftClient(strict().build());
        Stream stream = session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        peer.windowUpdate(RST, 1, 0);
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        StreamResetException e = awaitFailure(async(() -> stream.read(ByteBuffer.allocate(1))),
                StreamResetException.class);
        assertThat(e.isRemote()).isTrue();
        assertThat(e.streamId()).isEqualTo(1);
        awaitFailure(async(() -> stream.write(ByteBuffer.wrap(new byte[1]))), StreamResetException.class);
    }

    @Test
    void inboundStreamIdsNearTheTopOfTheRangeAreAccepted() throws Exception {
        weftClient(strict().build());
        long top = 0xFFFF_FFFEL;
        peer.sendData(SYN | FIN, top, "x".getBytes());
        Stream stream = result(async(() -> session.acceptStream()));
        assertThat(Integer.toUnsignedLong(stream.id())).isEqualTo(top);
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        assertThat(stream.inputStream().readAllBytes()).containsExactly('x');
    }
}

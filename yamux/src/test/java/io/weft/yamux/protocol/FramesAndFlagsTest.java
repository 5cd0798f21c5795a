package io.weft.yamux.protocol;

import static io.weft.yamux.protocol.RawPeer.ACK;
import static io.weft.yamux.protocol.RawPeer.DATA;
import static io.weft.yamux.protocol.RawPeer.FIN;
import static io.weft.yamux.protocol.RawPeer.INITIAL_WINDOW;
import static io.weft.yamux.protocol.RawPeer.PING;
import static io.weft.yamux.protocol.RawPeer.RST;
import static io.weft.yamux.protocol.RawPeer.SYN;
import static io.weft.yamux.protocol.RawPeer.WINDOW_UPDATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.yamux.Stream;
import io.weft.yamux.StreamResetException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Flag combinations, half-close, resets and frames for unknown streams, against a scripted peer. */
class FramesAndFlagsTest extends RawPeerTestBase {

    private Stream acceptedStream(long id, int flags, byte[] firstData) throws Exception {
        peer.sendData(SYN | flags, id, firstData);
        Stream stream = result(async(() -> session.acceptStream()));
        assertThat(Integer.toUnsignedLong(stream.id())).isEqualTo(id);
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        return stream;
    }

    @Test
    void dataAckFinInOneFrameDeliversDataThenEndOfStream() throws Exception {
        weftClient(strict().build());
        Stream stream = session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        peer.sendData(ACK | FIN, 1, "bye".getBytes());
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        assertThat(new String(stream.inputStream().readAllBytes())).isEqualTo("bye");
        // Half-closed by the peer only: we can still write, then close.
        stream.write(ByteBuffer.wrap("ok".getBytes()));
        assertThat(peer.readData(1, 2, null)).isEqualTo("ok".getBytes());
        stream.close();
        peer.await("our FIN", f -> f.streamId() == 1 && f.has(FIN));
    }

    @Test
    void readerBlockedBeforeADataFinFrameGetsTheDataBeforeEndOfStream() throws Exception {
        // Data|FIN (rust-yamux closes this way) must never look like FIN first to a reader that
        // is already waiting: EOF only after the frame's bytes. Repeated to catch the race.
        weftClient(strict().build());
        for (int round = 0; round < 200; round++) {
            long id = 2L + 2 * round;
            peer.windowUpdate(SYN, id, 0);
            Stream stream = result(async(() -> session.acceptStream()));
            stream.setReadDeadline(Instant.now().plus(TIMEOUT));
            java.util.concurrent.Future<byte[]> reader = async(() -> stream.inputStream().readAllBytes());
            peer.sendData(FIN, id, "tail".getBytes());
            assertThat(new String(result(reader))).as("round %d", round).isEqualTo("tail");
            stream.close();
        }
    }

    @Test
    void dataAfterThePeersFinIsDiscardedSoEndOfStreamStaysFinal() throws Exception {
        // EOF means the peer's FIN and nothing else: a peer that sends data after its own FIN
        // (hashicorp would buffer it) must not make a read after -1 return bytes.
        weftClient(strict().build());
        Stream stream = acceptedStream(2, 0, "abc".getBytes());
        peer.sendData(FIN, 2, "d".getBytes()); // Data|FIN: its payload comes before the FIN
        assertThat(new String(stream.inputStream().readAllBytes())).isEqualTo("abcd");
        peer.sendData(0, 2, "late".getBytes());
        peer.assertAlive(14); // the reader has handled the late frame
        assertThat(stream.read(ByteBuffer.allocate(16))).isEqualTo(-1);
        assertThat(stream.inputStream().available()).isZero();
        // Only the peer's direction ended: the session and our direction carry on.
        stream.write(ByteBuffer.wrap("ok".getBytes()));
        assertThat(peer.readData(2, 2, null)).isEqualTo("ok".getBytes());
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void dataAfterTheFinIsDiscardedEvenWhenTheReaderHasNotReachedEndOfStream() throws Exception {
        weftClient(strict().build());
        Stream stream = acceptedStream(2, 0, "abc".getBytes());
        peer.windowUpdate(FIN, 2, 0);
        peer.sendData(0, 2, "late".getBytes());
        peer.sendData(FIN, 2, "later".getBytes());
        peer.assertAlive(15);
        assertThat(new String(stream.inputStream().readAllBytes())).isEqualTo("abc");
        assertThat(stream.read(ByteBuffer.allocate(16))).isEqualTo(-1);
    }

    @Test
    void unknownFlagBitsAreIgnored() throws Exception {
        weftClient(strict().build());
        Stream stream = acceptedStream(2, 0x10 | 0x8000, "abc".getBytes());
        assertThat(new String(stream.inputStream().readNBytes(3))).isEqualTo("abc");
        peer.sendData(0x40 | FIN, 2, "d".getBytes());
        assertThat(new String(stream.inputStream().readAllBytes())).isEqualTo("d");
        peer.ping(SYN | 0x100, 77);
        peer.await("Ping|ACK 77", f -> f.type() == PING && f.has(ACK) && f.length() == 77);
    }

    @Test
    void framesForUnknownStreamsAreDrainedAndIgnored() throws Exception {
        weftClient(strict().build());
        peer.sendData(0, 98, bytes(4096, 3)); // never opened
        peer.windowUpdate(0, 100, 1000);
        peer.windowUpdate(FIN, 102, 0);
        peer.send(DATA, RST, 104, 0);
        peer.assertAlive(5);
        // The payload of the ignored data frame was skipped exactly: the next stream works.
        Stream stream = acceptedStream(2, 0, "after".getBytes());
        assertThat(new String(stream.inputStream().readNBytes(5))).isEqualTo("after");
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void duplicateFinIsIgnored() throws Exception {
        weftClient(strict().build());
        Stream stream = acceptedStream(2, FIN, "x".getBytes());
        peer.windowUpdate(FIN, 2, 0);
        peer.sendData(FIN, 2, new byte[0]);
        assertThat(stream.inputStream().readAllBytes()).containsExactly('x');
        peer.assertAlive(6);
        stream.write(ByteBuffer.wrap("y".getBytes()));
        assertThat(peer.readData(2, 1, null)).containsExactly('y');
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void lateWindowUpdateForAFinishedStreamIsIgnored() throws Exception {
        weftClient(strict().build());
        Stream stream = acceptedStream(2, FIN, new byte[0]);
        assertThat(stream.inputStream().readAllBytes()).isEmpty();
        stream.close();
        peer.await("our FIN", f -> f.streamId() == 2 && f.has(FIN));
        peer.windowUpdate(0, 2, 4096);
        peer.assertNone("RST for the finished stream", f -> f.has(RST), QUIET);
        peer.assertAlive(8);
    }

    @Test
    void resetCodeInTheLengthFieldReachesTheReader() throws Exception {
        weftClient(strict().build());
        Stream stream = acceptedStream(2, 0, "data".getBytes());
        peer.windowUpdate(RST, 2, 42);
        StreamResetException e = awaitFailure(async(() -> {
            stream.inputStream().readAllBytes();
            return null;
        }), StreamResetException.class);
        assertThat(e.errorCode()).isEqualTo(42);
        assertThat(e.isRemote()).isTrue();
        peer.assertAlive(9);
    }

    @Test
    void resetCodesAboveTwoToThe31AreReportedUnsignedBothWays() throws Exception {
        // Issue 13 defect 6: the code is unsigned 32-bit on the wire; it used to come out negative.
        weftClient(strict().build());
        Stream inbound = acceptedStream(2, 0, "data".getBytes());
        peer.windowUpdate(RST, 2, 0xFFFF_FFFEL);
        StreamResetException remote = awaitFailure(async(() -> {
            inbound.inputStream().readAllBytes();
            return null;
        }), StreamResetException.class);
        assertThat(remote.errorCode()).isEqualTo(0xFFFF_FFFEL);
        assertThat(remote.getMessage()).contains("4294967294");

        Stream outbound = session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        outbound.reset((int) 0x8000_0001L);
        assertThat(peer.await("RST", f -> f.streamId() == 1 && f.has(RST)).length()).isEqualTo(0x8000_0001L);
        StreamResetException local = awaitFailure(async(() -> outbound.write(ByteBuffer.wrap(new byte[1]))),
                StreamResetException.class);
        assertThat(local.errorCode()).isEqualTo(0x8000_0001L);
    }

    @Test
    void localResetSendsItsCodeInTheLengthField() throws Exception {
        weftClient(strict().build());
        Stream stream = session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        stream.reset(7);
        RawPeer.Frame rst = peer.await("RST", f -> f.streamId() == 1 && f.has(RST));
        assertThat(rst.type()).isEqualTo(WINDOW_UPDATE);
        assertThat(rst.length()).isEqualTo(7);
        StreamResetException e = awaitFailure(async(() -> stream.write(ByteBuffer.wrap(new byte[1]))),
                StreamResetException.class);
        assertThat(e.isRemote()).isFalse();
    }

    @Test
    void finSentOnceOnHalfCloseAndNeverTwice() throws Exception {
        weftClient(strict().build());
        Stream stream = session.openStream();
        stream.write(ByteBuffer.wrap("q".getBytes()));
        stream.closeWrite();
        peer.await("FIN", f -> f.streamId() == 1 && f.has(FIN));
        stream.closeWrite();
        stream.close();
        peer.assertNone("a second FIN", f -> f.streamId() == 1 && f.has(FIN), QUIET);
        // Half-closed: the reply still arrives.
        // close() discards later inbound data but must not fail the session.
        peer.sendData(ACK | FIN, 1, "r".getBytes());
        peer.assertAlive(10);
    }

    @Test
    void creditIsReturnedAsTheApplicationReadsNotOnReceipt() throws Exception {
        weftClient(strict().build());
        Stream stream = acceptedStream(2, 0, bytes(INITIAL_WINDOW, 4));
        peer.await("ACK", f -> f.streamId() == 2 && f.has(ACK));
        peer.assertNone("credit before the application read", f -> f.type() == WINDOW_UPDATE && f.length() > 0,
                QUIET);
        stream.inputStream().readNBytes(INITIAL_WINDOW / 4);
        peer.assertNone("credit before half the window was consumed",
                f -> f.type() == WINDOW_UPDATE && f.length() > 0, QUIET);
        stream.inputStream().readNBytes(INITIAL_WINDOW / 4);
        RawPeer.Frame update = peer.await("window update", f -> f.is(WINDOW_UPDATE, 2) && f.length() > 0);
        assertThat(update.length()).isEqualTo(INITIAL_WINDOW / 2);
        // The returned credit is usable at once: a frame of exactly that size is accepted.
        peer.sendData(0, 2, bytes(INITIAL_WINDOW / 2, 5));
        peer.assertAlive(12);
    }

    @Test
    void dataDiscardedAfterCloseStillReturnsCredit() throws Exception {
        weftClient(strict().build());
        Stream stream = acceptedStream(2, 0, new byte[0]);
        stream.close();
        peer.await("FIN", f -> f.streamId() == 2 && f.has(FIN));
        // The peer keeps sending a full window and more: discarded bytes count as consumed.
        peer.sendData(0, 2, bytes(INITIAL_WINDOW, 6));
        peer.await("credit for discarded data", f -> f.is(WINDOW_UPDATE, 2) && f.length() > 0);
        peer.sendData(0, 2, bytes(INITIAL_WINDOW / 2, 7));
        peer.assertAlive(13);
    }
}

package io.weft.yamux.protocol;

import static io.weft.yamux.protocol.RawPeer.ACK;
import static io.weft.yamux.protocol.RawPeer.DATA;
import static io.weft.yamux.protocol.RawPeer.INITIAL_WINDOW;
import static io.weft.yamux.protocol.RawPeer.PING;
import static io.weft.yamux.protocol.RawPeer.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.yamux.Stream;
import io.weft.yamux.YamuxProtocolException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Input no yamux peer may send: Weft answers GoAway(1), closes the connection, and gives every
 * blocked and later call a {@link YamuxProtocolException} — never a hang or a bare EOF.
 */
class ProtocolErrorTest extends RawPeerTestBase {

    /** The close must follow the GoAway promptly (aim: GoAway in 100 ms, close in 200 ms; 2 s is CI slack). */
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(2);

    private Future<Stream> blockedAccept;

    private void startWeftClient() throws IOException {
        weftClient(strict().build());
        blockedAccept = async(() -> session.acceptStream());
    }

    /**
     * Accepts the peer's stream first, so the blocked accept afterwards can only end by the
     * session's failure.
     */
    private Stream acceptThenBlock() throws Exception {
        Stream stream = result(blockedAccept);
        blockedAccept = async(() -> session.acceptStream());
        return stream;
    }

    /**
     * For a stream-opening frame that is itself the violation. Weft may have queued the stream
     * for accept before judging the frame (accept hands out queued streams after a failure), so
     * the blocked accept may return it; if so, the stream must report the protocol error too.
     */
    private void assertOpeningFrameRejected() throws Exception {
        assertThat(peer.awaitGoAway()).as("GoAway code").isEqualTo(1);
        peer.awaitConnectionClosed(CLOSE_WITHIN);
        assertThat(awaitSessionEnd()).isInstanceOf(YamuxProtocolException.class);
        try {
            Stream stream = result(blockedAccept);
            awaitFailure(async(() -> stream.read(java.nio.ByteBuffer.allocate(1))), YamuxProtocolException.class);
        } catch (YamuxProtocolException expected) {
            assertThat(expected.goAwayCode()).isEqualTo(1);
        }
        awaitFailure(async(() -> session.openStream()), YamuxProtocolException.class);
    }

    private YamuxProtocolException assertProtocolFailure() throws Exception {
        assertThat(peer.awaitGoAway()).as("GoAway code").isEqualTo(1);
        peer.awaitConnectionClosed(CLOSE_WITHIN);
        YamuxProtocolException e = awaitFailure(blockedAccept, YamuxProtocolException.class);
        assertThat(e.goAwayCode()).isEqualTo(1);
        assertThat(e.isRemote()).isFalse();
        assertThat(session.closeCause()).isInstanceOf(YamuxProtocolException.class);
        assertThat(awaitSessionEnd()).isInstanceOf(YamuxProtocolException.class);
        awaitFailure(async(() -> session.openStream()), YamuxProtocolException.class);
        return e;
    }

    @Test
    void openingDataFrameBeyondTheInitialWindowIsAProtocolError() throws Exception {
        startWeftClient();
        // Header only: Weft must judge the length before any body arrives (and a body it never
        // reads would make the close a TCP reset that could swallow the GoAway).
        peer.send(DATA, SYN, 2, INITIAL_WINDOW + 1);
        assertOpeningFrameRejected();
    }

    @Test
    void dataBeyondTheGrantedWindowOnAnOpenStreamIsAProtocolError() throws Exception {
        startWeftClient();
        peer.sendData(SYN, 2, new byte[INITIAL_WINDOW - 10]);
        acceptThenBlock();
        peer.send(DATA, 0, 2, 11);
        assertProtocolFailure();
    }

    @Test
    void hugeDataLengthIsRejectedFromTheHeaderWithoutWaitingForTheBody() throws Exception {
        startWeftClient();
        peer.windowUpdate(SYN, 2, 0);
        acceptThenBlock();
        peer.send(DATA, 0, 2, 0xFFFF_FFFFL); // header only, then silence
        assertProtocolFailure();
    }

    @Test
    void dataRstWithAHugeLengthOnALiveStreamIsAProtocolErrorNotDrained() throws Exception {
        // Issue 13 defect 3: the RST used to reset the stream first, and the frame's 4 GiB were
        // then drained as data for a reset stream instead of being judged against the window.
        startWeftClient();
        peer.windowUpdate(SYN, 2, 0);
        acceptThenBlock();
        peer.send(DATA, RawPeer.RST, 2, 0xFFFF_FF00L); // header only, then silence
        assertProtocolFailure();
    }

    @Test
    void dataFinAndDataAckWithAHugeLengthAreProtocolErrorsToo() throws Exception {
        startWeftClient();
        peer.windowUpdate(SYN, 2, 0);
        acceptThenBlock();
        peer.send(DATA, RawPeer.FIN | ACK, 2, INITIAL_WINDOW + 1);
        assertProtocolFailure();
    }

    @Test
    void dataRstWithinTheWindowStillResetsTheStreamAndTheSessionLives() throws Exception {
        startWeftClient();
        peer.windowUpdate(SYN, 2, 0);
        Stream stream = acceptThenBlock();
        peer.sendData(RawPeer.RST, 2, new byte[1000]);
        awaitFailure(async(() -> stream.read(java.nio.ByteBuffer.allocate(1))),
                io.weft.yamux.StreamResetException.class);
        peer.assertAlive(77);
    }

    @Test
    void windowUpdatePastTwoToTheThirtyTwoIsAProtocolError() throws Exception {
        startWeftClient();
        session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        peer.windowUpdate(ACK, 1, 0xFFFF_FFFFL); // 256 KiB + 2^32-1 overflows the send window
        assertProtocolFailure();
    }

    @Test
    void windowUpdatePastTwoToTheThirtyTwoOnAnInboundStreamIsAProtocolError() throws Exception {
        startWeftClient();
        peer.windowUpdate(SYN, 2, INITIAL_WINDOW);
        acceptThenBlock();
        peer.windowUpdate(0, 2, 0xFFFF_FFFFL - INITIAL_WINDOW); // 512 KiB + this > 2^32-1
        assertProtocolFailure();
    }

    @Test
    void openingWindowUpdateSynPastTwoToTheThirtyTwoIsAProtocolError() throws Exception {
        startWeftClient();
        peer.windowUpdate(SYN, 2, 0xFFFF_FFFFL); // 256 KiB + 2^32-1 in the opening frame
        assertOpeningFrameRejected();
    }

    @Test
    void streamOpenedWithTheWrongParityIsAProtocolError() throws Exception {
        startWeftClient(); // Weft is the client: the peer must use even ids
        peer.windowUpdate(SYN, 3, 0);
        assertProtocolFailure();
    }

    @Test
    void dataOnStreamZeroIsAProtocolError() throws Exception {
        startWeftClient();
        peer.sendData(0, 0, "zero".getBytes());
        assertProtocolFailure();
    }

    @Test
    void synOnStreamZeroIsAProtocolError() throws Exception {
        startWeftClient();
        peer.windowUpdate(SYN, 0, 0);
        assertProtocolFailure();
    }

    @Test
    void duplicateSynForALiveStreamIsAProtocolError() throws Exception {
        startWeftClient();
        peer.windowUpdate(SYN, 2, 0);
        acceptThenBlock();
        peer.windowUpdate(SYN, 2, 0);
        assertProtocolFailure();
    }

    @Test
    void badVersionIsAProtocolError() throws Exception {
        startWeftClient();
        peer.writeRaw(RawPeer.header(1, PING, SYN, 0, 1));
        assertProtocolFailure();
    }

    @Test
    void badTypeIsAProtocolError() throws Exception {
        startWeftClient();
        peer.writeRaw(RawPeer.header(0, 4, 0, 0, 0));
        assertProtocolFailure();
    }

    @Test
    void protocolErrorReleasesBlockedStreamReadersWithTheSameType() throws Exception {
        startWeftClient();
        peer.windowUpdate(SYN, 2, 0);
        Stream stream = acceptThenBlock();
        Future<Integer> read = async(() -> stream.read(java.nio.ByteBuffer.allocate(1)));
        peer.writeRaw(RawPeer.header(0, 9, 0, 0, 0));
        assertProtocolFailure();
        awaitFailure(read, YamuxProtocolException.class);
    }
}

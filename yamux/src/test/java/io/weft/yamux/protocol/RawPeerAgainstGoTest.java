package io.weft.yamux.protocol;

import static io.weft.yamux.protocol.RawPeer.ACK;
import static io.weft.yamux.protocol.RawPeer.FIN;
import static io.weft.yamux.protocol.RawPeer.INITIAL_WINDOW;
import static io.weft.yamux.protocol.RawPeer.PING;
import static io.weft.yamux.protocol.RawPeer.RST;
import static io.weft.yamux.protocol.RawPeer.SYN;
import static io.weft.yamux.protocol.RawPeer.WINDOW_UPDATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.yamux.interop.GoPeer;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scripted peer against hashicorp/yamux itself: proves the hand-written frames are what a
 * real yamux peer understands (so a failing Weft test is about Weft), and pins down the hashicorp
 * behaviour Weft deliberately differs from.
 */
class RawPeerAgainstGoTest {

    private GoPeer server;
    private RawPeer peer;

    private void connect(String... args) throws IOException {
        server = GoPeer.startServer("echo", args);
        peer = new RawPeer(new Socket(server.socketAddress().getAddress(), server.socketAddress().getPort()));
    }

    @AfterEach
    void close() throws IOException {
        if (peer != null) {
            peer.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void goAcksOnAcceptAndEchoesHandWrittenDataFrames() throws IOException {
        connect();
        peer.sendData(SYN, 1, "hello".getBytes());
        RawPeer.Frame ack = peer.await("ACK", f -> f.streamId() == 1 && f.has(ACK));
        assertThat(ack.type()).isEqualTo(WINDOW_UPDATE);
        assertThat(new String(peer.readData(1, 5, null))).isEqualTo("hello");
        peer.windowUpdate(FIN, 1, 0);
        peer.await("Go's FIN after the echo", f -> f.streamId() == 1 && f.has(FIN));
    }

    @Test
    void goAnswersPingWithTheSameValue() throws IOException {
        connect();
        peer.assertAlive(0xFEED_F00DL);
    }

    @Test
    void goRefusesStreamsBeyondItsBacklogWithWindowUpdateRst() throws IOException {
        connect("-no-accept", "-backlog", "2");
        peer.windowUpdate(SYN, 1, 0);
        peer.windowUpdate(SYN, 3, 0);
        peer.windowUpdate(SYN, 5, 0);
        RawPeer.Frame rst = peer.await("RST", f -> f.has(RST));
        assertThat(rst.type()).isEqualTo(WINDOW_UPDATE);
        assertThat(rst.streamId()).isEqualTo(5);
        peer.assertAlive(1);
    }

    @Test
    void goAnswersDataBeyondTheWindowWithGoAwayProtocolError() throws IOException {
        connect("-no-accept");
        peer.send(RawPeer.DATA, SYN, 1, INITIAL_WINDOW + 1); // header only: judged before the body
        assertSessionKilled();
    }

    @Test
    void goKillsTheSessionOnADuplicateFinWhereWeftIgnoresIt() throws IOException {
        connect("-no-accept");
        peer.windowUpdate(SYN, 1, 0);
        peer.windowUpdate(FIN, 1, 0);
        peer.windowUpdate(FIN, 1, 0);
        assertSessionKilled();
    }

    /**
     * hashicorp queues GoAway(1) and closes the connection at once, so the GoAway often never
     * reaches the wire: only the close is certain.
     */
    private void assertSessionKilled() throws IOException {
        // A connection reset (unread input at close) also counts as closed.
        assertThat(peer.awaitConnectionClosed(Duration.ofSeconds(5))).allSatisfy(f -> {
            assertThat(f.type()).isEqualTo(RawPeer.GO_AWAY);
            assertThat(f.length()).isEqualTo(1);
        });
    }

    @Test
    void goAcceptsAPingOnANonZeroStreamId() throws IOException {
        // hashicorp ignores the stream id of pings; Weft treats it as a protocol error.
        connect();
        peer.send(PING, SYN, 5, 3);
        RawPeer.Frame pong = peer.await("Ping|ACK", f -> f.type() == PING && f.has(ACK));
        assertThat(pong.streamId()).isZero();
        assertThat(pong.length()).isEqualTo(3);
    }
}

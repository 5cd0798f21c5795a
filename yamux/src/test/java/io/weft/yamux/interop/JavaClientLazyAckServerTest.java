package io.weft.yamux.interop;

import static io.weft.yamux.interop.InteropSupport.TIMEOUT;
import static io.weft.yamux.interop.InteropSupport.assertGoAwayRefusesOpens;
import static io.weft.yamux.interop.InteropSupport.echoRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import io.weft.yamux.StreamResetException;
import io.weft.yamux.TestClock;
import io.weft.yamux.YamuxConfig;
import io.weft.yamux.interop.LazyAckPeer.Mode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Weft as the client of a {@link LazyAckPeer}: a server that ACKs each stream only with its first
 * frame on it, as rust-yamux does. The shared {@link PeerServerSuite} cases, GoAway both ways, and
 * the stream open timeout against such a peer (defect 10 of issue 13).
 */
class JavaClientLazyAckServerTest extends PeerServerSuite {

    private static final Duration OPEN_TIMEOUT = Duration.ofMillis(200);

    private LazyAckPeer peer; // the last one started

    @Override
    String startEchoServer(String... flags) throws IOException {
        return start(Mode.ECHO, List.of(flags).contains("-goaway"));
    }

    private String start(Mode mode, boolean goAway) throws IOException {
        peer = LazyAckPeer.start(mode, goAway);
        resources.add(peer);
        return peer.address();
    }

    @AfterEach
    void peerSawNoProtocolViolation() {
        if (peer != null) {
            assertThat(peer.failures()).isEmpty();
        }
    }

    /**
     * Defect 10: a request that takes longer to send than {@code streamOpenTimeout}, to a server
     * that answers (and so ACKs) only once it has the whole request. The stream is healthy all
     * along: every chunk reaches the peer. Weft must not reset a stream that is carrying data just
     * because its ACK has not come yet.
     */
    @Test
    @Timeout(30)
    void aStreamCarryingDataToALazyAckPeerIsNotResetAtTheOpenTimeout() throws Exception {
        // Session time is a test clock: the slow writer moves it a quarter of the open timeout per
        // chunk, so the request outlasts the timeout three times over without waiting for it.
        TestClock clock = new TestClock();
        Session session = dial(start(Mode.RESPOND_AFTER_FIN, false),
                clock.install(YamuxConfig.builder()).streamOpenTimeout(OPEN_TIMEOUT).keepAliveEnabled(false).build());
        byte[] request = new byte[12 * 8192]; // under half a window: the peer sends no frame before our FIN
        new Random(10).nextBytes(request);
        Stream stream = session.openStream();
        for (int i = 0; i < 12; i++) {
            stream.write(ByteBuffer.wrap(request, i * 8192, 8192));
            long sent = (i + 1) * 8192L;
            // The stream carries data: the peer has every chunk so far.
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(5)).until(() -> peer.bytesReceived() >= sent);
            clock.advance(OPEN_TIMEOUT.dividedBy(4));
        }
        stream.closeWrite();
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        assertThat(stream.inputStream().readAllBytes()).isEqualTo(request);
        assertThat(session.stats().streamsReset()).isZero();
    }

    /** The other side of defect 10: a stream nobody uses and the peer never ACKs is still reset. */
    @Test
    @Timeout(30)
    void anIdleStreamALazyAckPeerNeverAcksIsResetAtTheOpenTimeout() throws Exception {
        Session session = dial(start(Mode.RESPOND_AFTER_FIN, false),
                YamuxConfig.builder().streamOpenTimeout(OPEN_TIMEOUT).keepAliveEnabled(false).build());
        Stream idle = session.openStream();
        idle.setReadDeadline(Instant.now().plus(TIMEOUT));
        assertThatThrownBy(() -> idle.read(ByteBuffer.allocate(1))).isInstanceOf(StreamResetException.class)
                .satisfies(e -> assertThat(((StreamResetException) e).isRemote()).isFalse());
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    @Timeout(30)
    void aRequestAnsweredOnlyAfterItsFinArrivesWhole() throws Exception {
        // Lazy ACK with the default open timeout: the answer's first frame is the ACK.
        Session session = dial(start(Mode.RESPOND_AFTER_FIN, false), YamuxConfig.defaults());
        echoRoundTrip(session.openStream(), 1 << 20, 3, executor);
    }

    @Test
    @Timeout(30)
    void lazyAckPeerGoAwayRefusesNewOpensAfterItsFirstStream() throws Exception {
        Session session = dial(echoServer("-goaway"), YamuxConfig.defaults());
        echoRoundTrip(session.openStream(), 100_000, 4, executor);
        assertGoAwayRefusesOpens(session, true);
    }

    @Test
    @Timeout(30)
    void weftGoAwayLetsTheOpenStreamFinishThenClosesTheSession() throws Exception {
        Session session = dial(echoServer(), YamuxConfig.defaults());
        Stream stream = session.openStream();
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        stream.write(ByteBuffer.wrap("a".getBytes()));
        assertThat(stream.inputStream().read()).isEqualTo('a');
        session.goAway();
        await().atMost(TIMEOUT).until(() -> peer.goAwayReceived() == 0);
        stream.write(ByteBuffer.wrap("b".getBytes()));
        assertThat(stream.inputStream().read()).isEqualTo('b');
        stream.closeWrite();
        assertThat(stream.inputStream().readAllBytes()).isEmpty();
        assertThat(session.awaitClose(TIMEOUT)).as("session closes after its last stream").isTrue();
    }
}

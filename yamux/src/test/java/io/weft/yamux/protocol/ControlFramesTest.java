package io.weft.yamux.protocol;

import static io.weft.yamux.protocol.RawPeer.ACK;
import static io.weft.yamux.protocol.RawPeer.DATA;
import static io.weft.yamux.protocol.RawPeer.FIN;
import static io.weft.yamux.protocol.RawPeer.GO_AWAY;
import static io.weft.yamux.protocol.RawPeer.PING;
import static io.weft.yamux.protocol.RawPeer.RST;
import static io.weft.yamux.protocol.RawPeer.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.KeepAliveTimeoutException;
import io.weft.yamux.RemoteGoAwayException;
import io.weft.yamux.Stream;
import io.weft.yamux.TestClock;
import io.weft.yamux.YamuxProtocolException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Ping, keepalive and GoAway in both directions, against a scripted peer. */
class ControlFramesTest extends RawPeerTestBase {
    private final TestClock clock = new TestClock();

    @Test
    void pingRequestIsAnsweredWithTheSameValueOnStreamZero() throws Exception {
        weftClient(strict().build());
        peer.ping(SYN, 0xDEAD_BEEFL);
        RawPeer.Frame pong = peer.read();
        assertThat(pong.type()).isEqualTo(PING);
        assertThat(pong.flags()).isEqualTo(ACK);
        assertThat(pong.streamId()).isZero();
        assertThat(pong.length()).isEqualTo(0xDEAD_BEEFL);
    }

    @Test
    void pingOnANonZeroStreamIdIsAnsweredOnStreamZeroAsHashicorpDoes() throws Exception {
        // The spec says pings "should" use stream 0; Weft tolerates others like hashicorp (see
        // RawPeerAgainstGoTest.goAcceptsAPingOnANonZeroStreamId) rather than failing the session.
        weftClient(strict().build());
        peer.send(PING, SYN, 5, 31);
        RawPeer.Frame pong = peer.await("Ping|ACK", f -> f.type() == PING && f.has(ACK));
        assertThat(pong.streamId()).isZero();
        assertThat(pong.length()).isEqualTo(31);
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void pingMeasuresTheRoundTripWhenThePeerAnswers() throws Exception {
        weftClient(strict().build());
        Future<Duration> rtt = async(() -> session.ping());
        RawPeer.Frame request = peer.await("Ping|SYN", f -> f.type() == PING && f.has(SYN));
        assertThat(request.streamId()).isZero();
        peer.ping(ACK, request.length());
        assertThat(result(rtt)).isPositive();
    }

    @Test
    void pingReplyOvertakesDataQueuedBehindAFullTransport() throws Exception {
        connect(true, strict().build(), 16 * 1024);
        Stream stream = session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        peer.windowUpdate(ACK, 1, 16 * 1024 * 1024);
        int total = 8 * 1024 * 1024;
        Future<Integer> writer = async(() -> stream.write(ByteBuffer.wrap(bytes(total, 1))));
        // Once the first 64 KiB arrived the writer is under way; the small socket buffers hold
        // little, so nearly all of the 8 MiB is still queued in Weft when the ping arrives.
        long dataBeforePing = peer.readData(1, 64 * 1024, null).length;
        peer.ping(SYN, 4242);
        long dataBeforePong = dataBeforePing;
        while (true) {
            RawPeer.Frame f = peer.read();
            if (f.type() == PING && f.has(ACK)) {
                assertThat(f.length()).isEqualTo(4242);
                break;
            }
            dataBeforePong += f.payload().length;
        }
        assertThat(dataBeforePong).as("data bytes read before the ping reply").isLessThan(2L * 1024 * 1024);
        assertThat(peer.readData(1, (int) (total - dataBeforePong), null)).hasSize((int) (total - dataBeforePong));
        assertThat(result(writer)).isEqualTo(total);
    }

    @Test
    void pingFloodFromAPeerThatDoesNotReadIsBoundedAndTheSessionKeepsReading() throws Exception {
        connect(true, strict().build(), 8 * 1024);
        int pings = 50_000;
        byte[] flood = new byte[pings * 12];
        for (int i = 0; i < pings; i++) {
            System.arraycopy(RawPeer.header(0, PING, SYN, 0, i), 0, flood, i * 12, 12);
        }
        // Weft's reader must keep draining the flood even though no reply can be written.
        result(async(() -> {
            peer.writeRaw(flood);
            return null;
        }));
        await().atMost(TIMEOUT).until(() -> session.stats().pingRepliesDropped() > 0);
        int pongs = 0;
        while (true) {
            RawPeer.Frame f;
            try {
                f = peer.read(Duration.ofMillis(500));
            } catch (java.net.SocketTimeoutException e) {
                break;
            }
            assertThat(f.type()).isEqualTo(PING);
            pongs++;
        }
        assertThat(pongs).isPositive().isLessThan(pings);
        assertThat(session.stats().pingRepliesDropped()).isEqualTo(pings - pongs);
        peer.assertAlive(999_999);
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void keepAliveFailsTheSessionWhenThePeerStopsAnsweringPings() throws Exception {
        weftClient(clock.install(strict()).keepAliveEnabled(true).keepAliveInterval(Duration.ofMillis(200))
                .connectionWriteTimeout(Duration.ofMillis(400)).build());
        Future<Stream> accept = async(() -> session.acceptStream());
        clock.advance(Duration.ofMillis(200)); // idle for the interval
        peer.await("keepalive Ping|SYN", f -> f.type() == PING && f.has(SYN));
        clock.advance(Duration.ofMillis(400));
        assertThat(session.isClosed()).as("unanswered for exactly the timeout: not yet").isFalse();
        clock.advance(Duration.ofMillis(50)); // the next tick (a quarter of the interval)
        awaitFailure(accept, KeepAliveTimeoutException.class);
        assertThat(session.closeCause()).isInstanceOf(KeepAliveTimeoutException.class);
        peer.awaitConnectionClosed(TIMEOUT);
    }

    @Test
    void keepAliveAnsweredKeepsTheSessionUpAndMeasuresRtt() throws Exception {
        weftClient(clock.install(strict()).keepAliveEnabled(true).keepAliveInterval(Duration.ofMillis(100))
                .connectionWriteTimeout(Duration.ofSeconds(3)).build());
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMillis(200)); // idle past the interval: one ping (one outstanding at most)
            RawPeer.Frame ping = peer.await("keepalive Ping|SYN", f -> f.type() == PING && f.has(SYN));
            clock.advance(Duration.ofMillis(25)); // the reply takes at least 25 ms
            peer.ping(ACK, ping.length());
            peer.assertAlive(1000 + i); // a round trip: the reply has been handled before time moves on
        }
        assertThat(session.isClosed()).isFalse();
        assertThat(session.rtt()).isBetween(Duration.ofMillis(25), Duration.ofMillis(225));
    }

    @Test
    void keepAliveSendsNoPingWhileFramesKeepArriving() throws Exception {
        // Interval 1 s, traffic every 900 ms of the session's time. A keepalive ping is queued
        // while the clock advances; the SYN of a stream opened afterwards is queued behind it, so
        // every frame before that SYN is checked.
        weftClient(clock.install(strict()).keepAliveEnabled(true).keepAliveInterval(Duration.ofSeconds(1)).build());
        for (int i = 1; i <= 10; i++) {
            peer.assertAlive(i); // traffic: the peer's ping, answered
            clock.advance(Duration.ofMillis(900));
            int marker = session.openStream().id();
            peer.await("SYN of stream " + marker, f -> {
                assertThat(f.type() == PING && f.has(SYN)).as("keepalive ping while traffic flows: %s", f).isFalse();
                return f.streamId() == marker && f.has(SYN);
            });
        }
        // Now silent for longer than the interval: the keepalive ping goes out.
        clock.advance(Duration.ofMillis(1250));
        peer.await("keepalive Ping|SYN", f -> f.type() == PING && f.has(SYN));
    }

    @Test
    void remoteGoAwayZeroRefusesNewOpensAndExistingStreamsContinue() throws Exception {
        weftClient(strict().build());
        Stream stream = session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        peer.windowUpdate(ACK, 1, 0);
        peer.goAway(0);
        RemoteGoAwayException e = awaitFailureEventually(() -> session.openStream());
        assertThat(e.code()).isZero();
        assertThat(session.isClosed()).isFalse();
        stream.write(ByteBuffer.wrap("still".getBytes()));
        assertThat(peer.readData(1, 5, null)).isEqualTo("still".getBytes());
        peer.sendData(0, 1, "here".getBytes());
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        assertThat(new String(stream.inputStream().readNBytes(4))).isEqualTo("here");
        peer.windowUpdate(FIN, 1, 0);
        assertThat(stream.inputStream().read()).isEqualTo(-1);
        assertThat(session.stats().goAwayCodeReceived()).isZero();
    }

    private RemoteGoAwayException awaitFailureEventually(java.util.concurrent.Callable<?> open) {
        AtomicReference<RemoteGoAwayException> seen = new AtomicReference<>();
        await().atMost(TIMEOUT).until(() -> {
            try {
                open.call();
                return false; // the GoAway was not processed yet
            } catch (RemoteGoAwayException e) {
                seen.set(e);
                return true;
            }
        });
        return seen.get();
    }

    @Test
    void remoteGoAwayProtocolErrorFailsTheSessionWithThatCode() throws Exception {
        weftClient(strict().build());
        Future<Stream> accept = async(() -> session.acceptStream());
        peer.goAway(1);
        YamuxProtocolException e = awaitFailure(accept, YamuxProtocolException.class);
        assertThat(e.goAwayCode()).isEqualTo(1);
        assertThat(e.isRemote()).isTrue();
        peer.awaitConnectionClosed(TIMEOUT);
    }

    @Test
    void remoteGoAwayInternalErrorFailsTheSessionWithThatCode() throws Exception {
        weftClient(strict().build());
        Future<Stream> accept = async(() -> session.acceptStream());
        peer.goAway(2);
        assertThat(awaitFailure(accept, RemoteGoAwayException.class).code()).isEqualTo(2);
        assertThat(session.closeCause()).isInstanceOf(RemoteGoAwayException.class);
        peer.awaitConnectionClosed(TIMEOUT);
    }

    @Test
    void remoteGoAwayWithAnApplicationCodeFailsTheSessionWithThatCode() throws Exception {
        weftClient(strict().build());
        Future<Stream> accept = async(() -> session.acceptStream());
        peer.goAway(0xC0DEL);
        assertThat(awaitFailure(accept, RemoteGoAwayException.class).code()).isEqualTo(0xC0DE);
    }

    @Test
    void localGoAwaySendsCodeZeroRefusesNewStreamsAndClosesAfterTheLastStream() throws Exception {
        weftClient(strict().build());
        peer.windowUpdate(SYN, 2, 0);
        Stream stream = result(async(() -> session.acceptStream()));
        session.goAway();
        RawPeer.Frame goAway = peer.await("GoAway", f -> f.type() == GO_AWAY);
        assertThat(goAway.length()).isZero();
        assertThat(goAway.streamId()).isZero();
        peer.windowUpdate(SYN, 4, 0);
        peer.await("RST for the stream opened after GoAway", f -> f.streamId() == 4 && f.has(RST));
        // The existing stream goes on in both directions.
        peer.sendData(0, 2, "in".getBytes());
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        assertThat(new String(stream.inputStream().readNBytes(2))).isEqualTo("in");
        stream.write(ByteBuffer.wrap("out".getBytes()));
        assertThat(peer.readData(2, 3, null)).isEqualTo("out".getBytes());
        assertThat(session.isClosed()).isFalse();
        // When it ends both ways the session closes.
        stream.close();
        peer.send(DATA, FIN, 2, 0);
        peer.awaitConnectionClosed(TIMEOUT);
        assertThat(awaitSessionEnd()).isNotNull();
    }
}

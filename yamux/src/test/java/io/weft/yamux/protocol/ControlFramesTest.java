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
    void pingFloodFromAPeerThatDoesNotReadIsThrottledThenEveryPingIsAnswered() throws Exception {
        // Replies are never dropped: while the peer does not read, Weft stops reading from it (so
        // the flood's write cannot finish); once it reads, every ping gets its reply.
        connect(true, strict().build(), 8 * 1024);
        int pings = 50_000;
        byte[] flood = new byte[pings * 12];
        for (int i = 0; i < pings; i++) {
            System.arraycopy(RawPeer.header(0, PING, SYN, 0, i), 0, flood, i * 12, 12);
        }
        Future<Object> write = async(() -> {
            peer.writeRaw(flood);
            return null;
        });
        await().atMost(TIMEOUT).until(() -> session.stats().pingFramesIn() > 1024);
        java.util.BitSet answered = new java.util.BitSet(pings);
        for (int i = 0; i < pings; i++) {
            RawPeer.Frame f = peer.read();
            assertThat(f.type()).isEqualTo(PING);
            assertThat(f.has(ACK)).isTrue();
            answered.set((int) f.length());
        }
        assertThat(answered.cardinality()).isEqualTo(pings);
        result(write);
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
        assertThat(session.remoteGoAway()).isFalse();
        Stream stream = session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        peer.windowUpdate(ACK, 1, 0);
        peer.goAway(0);
        RemoteGoAwayException e = awaitFailureEventually(() -> session.openStream());
        assertThat(e.code()).isZero();
        assertThat(session.remoteGoAway()).isTrue();
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
    void remoteGoAwayCodeAboveTwoToThe31IsReportedUnsigned() throws Exception {
        // Issue 13 defect 6: GoAway codes are unsigned 32-bit on the wire.
        weftClient(strict().build());
        Future<Stream> accept = async(() -> session.acceptStream());
        peer.goAway(0xFFFF_FFF0L);
        RemoteGoAwayException e = awaitFailure(accept, RemoteGoAwayException.class);
        assertThat(e.code()).isEqualTo(0xFFFF_FFF0L);
        assertThat(e.getMessage()).contains("4294967280");
        assertThat(session.stats().goAwayCodeReceived()).isEqualTo(0xFFFF_FFF0L);
        assertThat(((RemoteGoAwayException) session.closeCause()).code()).isEqualTo(0xFFFF_FFF0L);
    }

    @Test
    void closeSendsGoAwayNormalAsItsLastFrame() throws Exception {
        // Issue 13 defect 7: the spec says a session that closes sends GoAway; close() sent none.
        weftClient(strict().build());
        Stream stream = session.openStream();
        peer.await("SYN", f -> f.has(SYN));
        stream.closeWrite(); // a FIN queued just before the close still goes out, before the GoAway
        session.close();
        java.util.List<RawPeer.Frame> frames = peer.awaitConnectionClosed(TIMEOUT);
        assertThat(frames).isNotEmpty();
        RawPeer.Frame last = frames.get(frames.size() - 1);
        assertThat(last.type()).as("last frame of %s", frames).isEqualTo(GO_AWAY);
        assertThat(last.length()).isZero();
        assertThat(last.streamId()).isZero();
        assertThat(frames).filteredOn(f -> f.type() == GO_AWAY).hasSize(1);
        assertThat(session.stats().goAwayCodeSent()).isZero();
        assertThat(session.closeCause()).isNull();
    }

    @Test
    void closeWithACodeSendsThatCodeUnsignedAsTheLastFrame() throws Exception {
        weftClient(strict().build());
        session.close((int) 0xFFFF_FFF0L);
        java.util.List<RawPeer.Frame> frames = peer.awaitConnectionClosed(TIMEOUT);
        assertThat(frames).isNotEmpty();
        assertThat(frames.get(frames.size() - 1).type()).isEqualTo(GO_AWAY);
        assertThat(frames.get(frames.size() - 1).length()).isEqualTo(0xFFFF_FFF0L);
        assertThat(session.stats().goAwayCodeSent()).isEqualTo(0xFFFF_FFF0L);
        assertThat(session.closeCause()).as("a requested close is clean").isNull();
    }

    @Test
    void closeAfterGoAwaySendsNoSecondGoAway() throws Exception {
        weftClient(strict().build());
        peer.windowUpdate(SYN, 2, 0);
        result(async(() -> session.acceptStream())); // keeps the drain going
        session.goAway();
        session.close();
        java.util.List<RawPeer.Frame> frames = peer.awaitConnectionClosed(TIMEOUT);
        assertThat(frames).filteredOn(f -> f.type() == GO_AWAY).hasSize(1);
    }

    @Test
    void pingBurstFromAPeerThatReadsIsAnsweredInFull() throws Exception {
        // Issue 13 defect 15: replies beyond pingBacklog (32) were dropped.
        weftClient(strict().build());
        int pings = 1000;
        byte[] burst = new byte[pings * 12];
        for (int i = 0; i < pings; i++) {
            System.arraycopy(RawPeer.header(0, PING, SYN, 0, i), 0, burst, i * 12, 12);
        }
        peer.writeRaw(burst);
        java.util.BitSet answered = new java.util.BitSet(pings);
        for (int i = 0; i < pings; i++) {
            RawPeer.Frame f = peer.await("Ping|ACK number " + (i + 1), x -> x.type() == PING && x.has(ACK));
            answered.set((int) f.length());
        }
        assertThat(answered.cardinality()).isEqualTo(pings);
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

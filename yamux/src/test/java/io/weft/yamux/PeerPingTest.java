package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a session offers for telling peers apart: pings with a caller's opaque value, the peer's
 * ping values shown to a listener, and the first bytes of a connection that does not speak yamux.
 * A Weft client session against a raw peer over an in-memory pipe.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PeerPingTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private final List<Integer> seen = new CopyOnWriteArrayList<>();
    private final PipeConn[] pipe = PipeConn.pair(64 * 1024);
    private final Session session = Session.client(pipe[0], SessionPair.testConfig().keepAliveEnabled(false)
            .peerPingListener((s, opaque) -> seen.add(opaque)).build());
    private final PipeConn raw = pipe[1];

    @AfterEach
    void closeSession() {
        session.close();
        raw.close();
    }

    private void send(FrameHeader header) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(FrameHeader.SIZE);
        header.encode(frame);
        raw.write(frame.flip());
    }

    private FrameHeader receive() throws IOException {
        return RawFrames.readHeader(raw);
    }

    @Test
    void pingCarriesTheCallersOpaqueValueAndReturnsWhenItIsEchoed() throws Exception {
        int opaque = 0x5746_0001;
        CompletableFuture<Duration> rtt = CompletableFuture.supplyAsync(() -> {
            try {
                return session.ping(opaque, PATIENCE);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        FrameHeader ping = receive();
        assertThat(ping.type()).isEqualTo(FrameType.PING);
        assertThat(ping.flags()).isEqualTo(Flags.SYN);
        assertThat(ping.length()).isEqualTo(Integer.toUnsignedLong(opaque));
        send(new FrameHeader(FrameType.PING, Flags.ACK, 0, ping.length()));
        assertThat(rtt.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isPositive();
    }

    @Test
    void aSecondPingWithAnOpaqueValueStillAwaitingItsReplyIsRefused() throws Exception {
        CompletableFuture<Duration> first = CompletableFuture.supplyAsync(() -> {
            try {
                return session.ping(7, PATIENCE);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(receive().length()).isEqualTo(7);
        assertThatThrownBy(() -> session.ping(7, PATIENCE)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("7 is already awaiting its reply");
        send(new FrameHeader(FrameType.PING, Flags.ACK, 0, 7));
        assertThat(first.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isPositive();
        // answered: the value is free again
        assertThatThrownBy(() -> session.ping(7, Duration.ofMillis(50))).isInstanceOf(KeepAliveTimeoutException.class);
    }

    @Test
    void anUnansweredPingTimesOutAndTheSessionStaysUp() {
        assertThatThrownBy(() -> session.ping(42, Duration.ofMillis(100))).isInstanceOf(KeepAliveTimeoutException.class);
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void theListenerSeesEveryPingRequestOfThePeerAndEachIsStillAnswered() throws Exception {
        send(new FrameHeader(FrameType.PING, Flags.SYN, 0, 0xFFFF_FFFEL));
        send(new FrameHeader(FrameType.PING, Flags.SYN, 0, 3));
        send(new FrameHeader(FrameType.PING, Flags.ACK, 0, 99)); // a reply, not a request: not shown
        // Both replies, in either order: replies queued together may leave in one batch in any order.
        assertThat(java.util.List.of(receive(), receive())).containsExactlyInAnyOrder(
                new FrameHeader(FrameType.PING, Flags.ACK, 0, 0xFFFF_FFFEL), new FrameHeader(FrameType.PING, Flags.ACK, 0, 3));
        assertThat(seen).containsExactly(0xFFFF_FFFE, 3);
    }

    @Test
    void aConnectionThatDoesNotStartWithAFrameKeepsItsFirstBytesInTheError() throws Exception {
        raw.write(ByteBuffer.wrap("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        await().atMost(PATIENCE).until(session::isClosed);
        assertThat(session.closeCause()).isInstanceOf(YamuxProtocolException.class);
        YamuxProtocolException error = (YamuxProtocolException) session.closeCause();
        assertThat(error.reason()).isEqualTo("unsupported yamux version 72");
        assertThat(new String(error.firstBytes(), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 400");
        assertThat(error.firstBytes().length).isBetween(FrameHeader.SIZE, YamuxProtocolException.FIRST_BYTES_LIMIT);
        assertThat(error.getMessage()).contains("(the connection began with \"HTTP/1.1 400");
    }

    @Test
    void aBadHeaderAfterAValidFrameKeepsNoBytes() throws Exception {
        send(new FrameHeader(FrameType.PING, Flags.ACK, 0, 1234));
        raw.write(ByteBuffer.wrap("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII)));
        await().atMost(PATIENCE).until(session::isClosed);
        YamuxProtocolException error = (YamuxProtocolException) session.closeCause();
        assertThat(error.firstBytes()).isEmpty();
        assertThat(error.getMessage()).isEqualTo("yamux protocol error: unsupported yamux version 83");
    }

    @Test
    void printableEscapesControlBytesQuotesAndBackslashes() {
        byte[] bytes = {'H', 'i', '\r', '\n', '\t', '"', '\\', 0, (byte) 0xff, 0x7f};
        assertThat(YamuxProtocolException.printable(bytes)).isEqualTo("Hi\\r\\n\\t\\\"\\\\\\x00\\xff\\x7f");
    }
}

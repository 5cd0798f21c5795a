package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import io.weft.yamux.frame.GoAwayCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Weft client session against a raw peer that writes frames by hand over an in-memory pipe:
 * what happens to bad, odd and abusive input. (The exhaustive scripted-peer suite lives in
 * the protocol package; these pin the session's own reactions.)
 */
class HostilePeerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private final PipeConn[] pipe = PipeConn.pair(64 * 1024);
    private final Session session = Session.client(pipe[0],
            SessionPair.testConfig().keepAliveEnabled(false).build());
    private final PipeConn raw = pipe[1];

    @AfterEach
    void closeSession() {
        session.close();
        raw.close();
    }

    /** Writes a frame in one write (the session may close as soon as it has seen the header). */
    private void send(FrameHeader header, byte[] payload) throws IOException {
        int payloadBytes = payload == null ? 0 : payload.length;
        ByteBuffer frame = ByteBuffer.allocate(FrameHeader.SIZE + payloadBytes);
        header.encode(frame);
        if (payloadBytes > 0) {
            frame.put(payload);
        }
        raw.write(frame.flip());
    }

    private void send(FrameHeader header) throws IOException {
        send(header, null);
    }

    private FrameHeader receive() throws IOException {
        return RawFrames.readFrame(raw);
    }

    /** Reads frames until a GoAway; returns its code. */
    private long receiveGoAway() throws IOException {
        while (true) {
            FrameHeader header = receive();
            if (header.type() == FrameType.GO_AWAY) {
                return header.length();
            }
        }
    }

    private void assertProtocolError(String reasonPart) throws Exception {
        assertThat(receiveGoAway()).isEqualTo(GoAwayCodes.PROTOCOL_ERROR);
        IOException cause = session.closeFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(YamuxProtocolException.class).hasMessageContaining(reasonPart);
        assertThat(catchThrowable(session::acceptStream)).isInstanceOf(YamuxProtocolException.class);
    }

    @Test
    void badVersionIsAProtocolError() throws Exception {
        raw.write(ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0}));
        assertProtocolError("version 1");
    }

    @Test
    void unknownTypeIsAProtocolError() throws Exception {
        raw.write(ByteBuffer.wrap(new byte[] {0, 7, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0}));
        assertProtocolError("type 7");
    }

    @Test
    void dataOnStreamZeroIsAProtocolError() throws Exception {
        send(FrameHeader.data(0, 0, 1), new byte[] {1});
        assertProtocolError("stream 0");
    }

    @Test
    void synWithTheWrongParityIsAProtocolError() throws Exception {
        send(FrameHeader.windowUpdate(3, Flags.SYN, 0)); // the peer is the server: its ids are even
        assertProtocolError("parity");
    }

    @Test
    void duplicateSynIsAProtocolError() throws Exception {
        send(FrameHeader.windowUpdate(2, Flags.SYN, 0));
        send(FrameHeader.windowUpdate(2, Flags.SYN, 0));
        assertProtocolError("duplicate");
    }

    @Test
    void dataBeyondTheWindowIsAProtocolErrorWithoutAllocatingIt() throws Exception {
        send(FrameHeader.data(2, Flags.SYN, 0xFFFF_FFFFL)); // header only: 4 GiB announced
        assertProtocolError("beyond the receive window");
    }

    @Test
    void windowUpdateOverflowIsAProtocolError() throws Exception {
        send(FrameHeader.windowUpdate(2, Flags.SYN, 0xFFFF_FFFFL));
        assertProtocolError("overflows");
    }

    @Test
    void peerGoAwayWithProtocolErrorFailsTheSessionWithThatCode() throws Exception {
        send(FrameHeader.goAway(GoAwayCodes.PROTOCOL_ERROR));
        IOException cause = session.closeFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(YamuxProtocolException.class);
        assertThat(((YamuxProtocolException) cause).isRemote()).isTrue();
    }

    @Test
    void peerGoAwayWithAnotherCodeFailsTheSessionWithRemoteGoAway() throws Exception {
        send(FrameHeader.goAway(7));
        IOException cause = session.closeFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(RemoteGoAwayException.class);
        assertThat(((RemoteGoAwayException) cause).code()).isEqualTo(7);
    }

    @Test
    void combinedFlagsDuplicateFinAndUnknownStreamsAreTolerated() throws Exception {
        send(FrameHeader.data(2, Flags.SYN | 0x100, 3), new byte[] {1, 2, 3}); // unknown flag bit
        Stream stream = session.acceptStream();
        FrameHeader ack = receive();
        assertThat(ack.type()).isEqualTo(FrameType.WINDOW_UPDATE);
        assertThat(ack.flags()).isEqualTo(Flags.ACK);
        send(FrameHeader.data(2, Flags.ACK | Flags.FIN, 1), new byte[] {4}); // Data|ACK|FIN as rust sends
        send(FrameHeader.windowUpdate(2, Flags.FIN, 0)); // duplicate FIN
        send(FrameHeader.data(1001, 0, 5), new byte[5]); // unknown stream: drained
        send(FrameHeader.windowUpdate(1001, 0, 100)); // late window update: ignored
        assertThat(stream.inputStream().readAllBytes()).containsExactly(1, 2, 3, 4);
        send(FrameHeader.ping(Flags.SYN, 77));
        FrameHeader pong = receive();
        assertThat(pong).isEqualTo(FrameHeader.ping(Flags.ACK, 77));
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void synIsAdditiveWindowUpdateAndDataMayPrecedeTheAck() throws Exception {
        YamuxConfig config = SessionPair.testConfig().keepAliveEnabled(false).streamWindowBytes(1024 * 1024).build();
        PipeConn[] other = PipeConn.pair(64 * 1024);
        try (Session client = Session.client(other[0], config)) {
            Stream stream = client.openStream();
            stream.write(ByteBuffer.wrap(new byte[] {9}));
            ByteBuffer frames = ByteBuffer.allocate(FrameHeader.SIZE * 2 + 1);
            while (frames.hasRemaining()) {
                other[1].read(frames);
            }
            assertThat(FrameHeader.decode(frames.array(), 0))
                    .isEqualTo(FrameHeader.windowUpdate(1, Flags.SYN, 1024 * 1024 - 256 * 1024));
            assertThat(FrameHeader.decode(frames.array(), FrameHeader.SIZE)).isEqualTo(FrameHeader.data(1, 0, 1));
        } finally {
            other[1].close();
        }
    }

    @Test
    void inboundStreamLimitRefusesWithRstAndKeepsTheSession() throws Exception {
        PipeConn[] other = PipeConn.pair(64 * 1024);
        YamuxConfig config = SessionPair.testConfig().keepAliveEnabled(false).maxInboundStreams(2).build();
        try (Session client = Session.client(other[0], config)) {
            for (int id = 2; id <= 6; id += 2) {
                other[1].write(ByteBuffer.wrap(FrameHeader.windowUpdate(id, Flags.SYN, 0).toBytes()));
            }
            ByteBuffer rst = ByteBuffer.allocate(FrameHeader.SIZE);
            while (rst.hasRemaining()) {
                other[1].read(rst);
            }
            assertThat(FrameHeader.decode(rst.array(), 0)).isEqualTo(FrameHeader.windowUpdate(6, Flags.RST, 0));
            assertThat(client.isClosed()).isFalse();
            assertThat(client.stats().streamsRefused()).isEqualTo(1);
        } finally {
            other[1].close();
        }
    }

    @Test
    void dataWithFinReachesAReaderAlreadyBlocked() throws Exception {
        for (int id = 2; id <= 100; id += 2) {
            send(FrameHeader.windowUpdate(id, Flags.SYN, 0));
            Stream stream = session.acceptStream();
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return stream.inputStream().readAllBytes();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            send(FrameHeader.data(id, Flags.FIN, 4), new byte[] {1, 2, 3, 4});
            assertThat(read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).containsExactly(1, 2, 3, 4);
        }
    }
}

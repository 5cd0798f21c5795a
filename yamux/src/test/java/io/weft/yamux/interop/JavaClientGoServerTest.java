package io.weft.yamux.interop;

import static io.weft.yamux.interop.InteropSupport.TIMEOUT;
import static io.weft.yamux.interop.InteropSupport.assertGoAwayRefusesOpens;
import static io.weft.yamux.interop.InteropSupport.echoOnConcurrentStreams;
import static io.weft.yamux.interop.InteropSupport.echoRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.DeadlineExceededException;
import io.weft.netpoll.Net;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import io.weft.yamux.StreamResetException;
import io.weft.yamux.YamuxConfig;
import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Weft as the yamux client, hashicorp/yamux (Go) as the server. */
class JavaClientGoServerTest {

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<AutoCloseable> resources = new ArrayList<>();

    private Session dial(GoPeer server, YamuxConfig config) throws Exception {
        Session session = Session.client(Net.dial("tcp", server.address(), Duration.ofSeconds(10)), config);
        resources.add(session);
        return session;
    }

    private GoPeer goServer(String... args) throws Exception {
        GoPeer peer = GoPeer.startServer("echo", args);
        resources.add(peer);
        return peer;
    }

    @AfterEach
    void closeAll() throws Exception {
        executor.shutdownNow();
        for (AutoCloseable r : resources.reversed()) {
            r.close();
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {1, 65_536, 1 << 20, 64 << 20})
    void echoOnOneStreamKeepsEveryByte(long bytes) throws Exception {
        Session session = dial(goServer(), YamuxConfig.defaults());
        echoRoundTrip(session.openStream(), bytes, bytes, executor);
    }

    @Test
    void echoOnAThousandConcurrentStreamsKeepsEveryByte() throws Exception {
        Session session = dial(goServer(), YamuxConfig.defaults());
        echoOnConcurrentStreams(session, 1000, 16 * 1024, executor);
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    @Timeout(60)
    void a256MiBStreamEchoesEveryByte() throws Exception {
        Session session = dial(goServer(), YamuxConfig.defaults());
        echoRoundTrip(session.openStream(), PeerServerSuite.BULK_BYTES, 256, executor, PeerServerSuite.BULK_TIMEOUT);
    }

    @Test
    void echoOverAJdkSocketChannel() throws Exception {
        GoPeer server = goServer();
        SocketChannel channel = SocketChannel.open(server.socketAddress());
        Session session = Session.client(channel, YamuxConfig.defaults());
        resources.add(session);
        List<Future<?>> streams = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            long seed = 100 + i;
            streams.add(executor.submit(() -> {
                echoRoundTrip(session.openStream(), 1 << 20, seed, executor);
                return null;
            }));
        }
        for (Future<?> f : streams) {
            f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void echoOverTheGoPeersStdioWithTheStreamPairOverload() throws Exception {
        // weftpeer stdio HOST PORT is a yamux server on its stdin/stdout (yamux-cli semantics) that
        // forwards every stream to a TCP echo here; Weft drives it through Session.client(in, out).
        try (ServerSocketChannel tcpEcho = ServerSocketChannel.open()) {
            tcpEcho.bind(new InetSocketAddress("127.0.0.1", 0));
            executor.submit(() -> {
                while (true) {
                    SocketChannel conn = tcpEcho.accept();
                    executor.submit(() -> tcpEchoUntilEof(conn));
                }
            });
            GoPeer stdio = GoPeer.startStdio("127.0.0.1", String.valueOf(tcpEcho.socket().getLocalPort()));
            resources.add(stdio);
            Session session = Session.client(stdio.stdoutStream(), stdio.stdin(), YamuxConfig.defaults());
            resources.add(session);
            List<Future<?>> streams = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long seed = 200 + i;
                streams.add(executor.submit(() -> {
                    // yamux-cli keeps the TCP side open until both directions end, so no EOF comes
                    // back after our FIN: read exactly what was sent instead.
                    Stream stream = session.openStream();
                    byte[] sent = new byte[300_000];
                    new java.util.Random(seed).nextBytes(sent);
                    Future<Integer> writer = executor.submit(() -> stream.write(ByteBuffer.wrap(sent)));
                    stream.setReadDeadline(Instant.now().plus(TIMEOUT));
                    byte[] received = stream.inputStream().readNBytes(sent.length);
                    writer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(received).isEqualTo(sent);
                    stream.close();
                    return null;
                }));
            }
            for (Future<?> f : streams) {
                f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    private static Void tcpEchoUntilEof(SocketChannel conn) throws java.io.IOException {
        try (conn) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (conn.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    conn.write(buf);
                }
                buf.clear();
            }
        }
        return null;
    }

    @Test
    void echoWithAutoTunedWindowsAgainstGosFixedWindow() throws Exception {
        // Go grants only 256 KiB; Weft's larger receive windows must be sent as additive deltas
        // Go accepts, and Weft must respect Go's window.
        YamuxConfig config = YamuxConfig.builder().streamWindowBytes(4 << 20).build();
        Session session = dial(goServer("-window", String.valueOf(1 << 20)), config);
        echoRoundTrip(session.openStream(), 16 << 20, 9, executor);
    }

    @Test
    void halfCloseDeliversEofAfterTheLastByteAndTheEchoStillArrives() throws Exception {
        Session session = dial(goServer(), YamuxConfig.defaults());
        Stream stream = session.openStream();
        stream.write(ByteBuffer.wrap("half".getBytes()));
        stream.closeWrite();
        // Go reads to EOF, echoes and closes: we read after our own half-close.
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        assertThat(new String(stream.inputStream().readAllBytes())).isEqualTo("half");
        assertThatThrownBy(() -> stream.write(ByteBuffer.wrap(new byte[1]))).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void pingToGoReturnsARoundTripTime() throws Exception {
        Session session = dial(goServer(), YamuxConfig.defaults());
        for (int i = 0; i < 3; i++) {
            assertThat(session.ping()).isPositive().isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void keepAlivePingsFlowBothWays() throws Exception {
        YamuxConfig config = YamuxConfig.builder().keepAliveInterval(Duration.ofMillis(50)).build();
        Session session = dial(goServer("-keepalive", "50ms"), config);
        // Go's pings are answered by Weft, Weft's by Go; a failed keepalive would close the session.
        await().atMost(TIMEOUT).until(() -> session.stats().pingFramesIn() >= 6 && session.rtt().toNanos() > 0);
        assertThat(session.isClosed()).isFalse();
        echoRoundTrip(session.openStream(), 1000, 1, executor);
    }

    @Test
    void goAwayFromGoRefusesNewOpensWhileTheOpenStreamContinues() throws Exception {
        Session session = dial(goServer("-goaway"), YamuxConfig.defaults());
        Stream first = session.openStream();
        first.setReadDeadline(Instant.now().plus(TIMEOUT));
        first.write(ByteBuffer.wrap("one".getBytes()));
        assertThat(new String(first.inputStream().readNBytes(3))).isEqualTo("one");
        assertGoAwayRefusesOpens(session, false);
        first.write(ByteBuffer.wrap("two".getBytes()));
        assertThat(new String(first.inputStream().readNBytes(3))).isEqualTo("two");
        first.closeWrite();
        assertThat(first.inputStream().readAllBytes()).isEmpty();
        assertThat(session.stats().goAwayCodeReceived()).isZero();
    }

    @Test
    void goAwayFromWeftLetsTheOpenStreamFinishThenClosesTheSession() throws Exception {
        Session session = dial(goServer(), YamuxConfig.defaults());
        Stream stream = session.openStream();
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        stream.write(ByteBuffer.wrap("a".getBytes()));
        assertThat(stream.inputStream().read()).isEqualTo('a');
        session.goAway();
        stream.write(ByteBuffer.wrap("b".getBytes()));
        assertThat(stream.inputStream().read()).isEqualTo('b');
        assertThat(session.isClosed()).isFalse();
        stream.closeWrite();
        assertThat(stream.inputStream().readAllBytes()).isEmpty();
        assertThat(session.awaitClose(TIMEOUT)).as("session closes after its last stream").isTrue();
        assertThat(session.stats().goAwayCodeSent()).isZero();
    }

    @Test
    void goRefusesStreamsBeyondItsAcceptBacklogWithReset() throws Exception {
        Session session = dial(goServer("-no-accept", "-backlog", "4"), YamuxConfig.defaults());
        List<Stream> streams = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            streams.add(session.openStream());
        }
        for (int i = 4; i < 6; i++) {
            Stream refused = streams.get(i);
            refused.setReadDeadline(Instant.now().plus(TIMEOUT));
            assertThatThrownBy(() -> refused.read(ByteBuffer.allocate(1))).isInstanceOf(StreamResetException.class)
                    .satisfies(e -> assertThat(((StreamResetException) e).isRemote()).isTrue());
        }
        Stream waiting = streams.get(0);
        waiting.setReadDeadline(Instant.now().plusMillis(200));
        assertThatThrownBy(() -> waiting.read(ByteBuffer.allocate(1))).isInstanceOf(DeadlineExceededException.class);
        assertThat(session.isClosed()).isFalse();
    }
}

package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.TimedCall.Outcome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport write path under stuck and slow connections: every writer is released when the
 * session closes or fails, and the write timeout measures progress, not the length of a write.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TransportWriteTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    /**
     * A session over a child process's stdin/stdout, as in a stdio tunnel, whose peer never reads:
     * {@code sleep} leaves its stdin pipe full, and closing our end of a pipe does not wake a
     * thread blocked in write(2) on it.
     */
    private static Process startNonReadingPeer() throws Exception {
        return new ProcessBuilder("sleep", "60").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** What a test does to a session whose writer is stuck in a transport write. */
    private interface Ending {
        void end(Session session) throws Exception;
    }

    private static Outcome writeIntoAFullStdioPipeThenEnd(YamuxConfig config, Ending ending) throws Exception {
        Process peer = startNonReadingPeer();
        Session session = Session.client(peer.getInputStream(), peer.getOutputStream(), config);
        try {
            Stream stream = session.openStream();
            // The SYN is written before our write starts, so the next transport write carries our data.
            await().atMost(PATIENCE).until(() -> session.stats().framesOut() >= 1);
            Thread[] writer = new Thread[1];
            // 256 KiB (the whole initial window) into a 64 KiB pipe that nobody drains.
            CompletableFuture<Outcome> write = TimedCall.start(() -> stream.write(ByteBuffer.allocate(256 * 1024)), writer);
            // Over a stream pair only the session's writer thread writes: once it is inside the
            // transport write of our frame (which cannot complete), our caller waits for it.
            await().atMost(PATIENCE).until(() -> session.outbound.writeProgressNanos() != 0);
            assertThat(write).isNotDone();
            long start = System.nanoTime();
            ending.end(session);
            Outcome outcome = write.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            return new Outcome(outcome.thrown(), outcome.returnedAtNanos() - start);
        } finally {
            session.close();
            peer.destroyForcibly(); // the pipe breaks, so the session's own writer thread exits too
        }
    }

    @Test
    void closeReleasesAWriterBlockedOnAStdioPipeThePeerNeverReadsWithin100Milliseconds() throws Exception {
        YamuxConfig config = SessionPair.testConfig().keepAliveEnabled(false).build();
        Outcome outcome = writeIntoAFullStdioPipeThenEnd(config, Session::close);
        assertThat(outcome.thrown()).isInstanceOf(SessionClosedException.class);
        assertThat(Duration.ofNanos(outcome.returnedAtNanos())).isLessThan(Duration.ofMillis(100));
    }

    @Test
    void writeTimeoutOnAStdioPipeThePeerNeverReadsReleasesTheWriterWithTheTimeout() throws Exception {
        ManualClock clock = new ManualClock();
        Duration writeTimeout = Duration.ofMillis(250);
        YamuxConfig config = SessionPair.testConfig().keepAliveEnabled(false).clock(clock)
                .connectionWriteTimeout(writeTimeout).build();
        Outcome outcome = writeIntoAFullStdioPipeThenEnd(config, session -> {
            clock.advance(writeTimeout);
            assertThat(session.isClosed()).as("no progress for exactly the write timeout: not yet").isFalse();
            clock.advance(Duration.ofMillis(25)); // the next watchdog tick (a quarter of the 100 ms keepalive interval)
            assertThat(session.closeCause()).isInstanceOf(WriteTimeoutException.class);
        });
        assertThat(outcome.thrown()).isInstanceOf(WriteTimeoutException.class);
    }

    @Test
    void closeReleasesAWriterBlockedInsideTheTransportWithin100Milliseconds() throws Exception {
        PipeConn[] pipe = PipeConn.pair(64 * 1024);
        YamuxConfig config = SessionPair.testConfig().keepAliveEnabled(false).build();
        Session client = Session.client(pipe[0], config);
        Session server = Session.server(pipe[1], config);
        try {
            Stream stream = client.openStream();
            // The SYN is out first, so our write finds the transport idle and writes it itself.
            await().atMost(PATIENCE).until(() -> client.stats().framesOut() >= 1);
            pipe[0].pauseWrites(true); // the connection stops taking bytes once 64 KiB are buffered
            Thread[] writer = new Thread[1];
            CompletableFuture<Outcome> write = TimedCall.start(() -> stream.write(ByteBuffer.allocate(256 * 1024)), writer);
            assertThat(pipe[0].awaitBlockedWriter(PATIENCE)).as("our caller is stuck inside the transport")
                    .isSameAs(writer[0]);
            long start = System.nanoTime();
            client.close();
            Outcome outcome = write.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(outcome.thrown()).isInstanceOf(SessionClosedException.class);
            assertThat(Duration.ofNanos(outcome.returnedAtNanos() - start)).isLessThan(Duration.ofMillis(100));
        } finally {
            client.close();
            server.close();
        }
    }

    /**
     * 1 MiB/s in the session's time: 16 KiB, then {@code clock} moves 15.6 ms (no wall time
     * passes). A 128 KiB write call takes 125 ms; a 1 MiB frame in one call would take 1 s.
     */
    private static PipeConn oneMebibytePerSecond(PipeConn conn, ManualClock clock) {
        conn.throttleWrites(16 * 1024, 1_000_000_000L / 64, nanos -> clock.advance(Duration.ofNanos(nanos)));
        return conn;
    }

    private static YamuxConfig.Builder slowLinkClientConfig(ManualClock clock) {
        // 1 MiB frames: one such frame in one transport call would take twice the write timeout.
        return SessionPair.testConfig().keepAliveEnabled(false).clock(clock)
                .connectionWriteTimeout(Duration.ofMillis(500)).maxDataFrameBytes(1024 * 1024);
    }

    private static YamuxConfig.Builder slowLinkServerConfig() {
        return SessionPair.testConfig().keepAliveEnabled(false).streamWindowBytes(4 * 1024 * 1024);
    }

    /** Opens a stream and waits until the server's ACK, with its 4 MiB window, has reached the client. */
    private static Stream[] openWithLargeWindow(Session client, Session server) throws IOException {
        Stream out = client.openStream();
        Stream in = server.acceptStream();
        in.write(ByteBuffer.wrap(new byte[] {1})); // sent after the ACK, so read after it
        out.read(ByteBuffer.allocate(1));
        return new Stream[] {out, in};
    }

    @Test
    void aSlowLinkThatKeepsMovingOutlastsTheWriteTimeout() throws Exception {
        ManualClock clock = new ManualClock();
        PipeConn[] pipe = PipeConn.pair(64 * 1024);
        YamuxConfig clientConfig = slowLinkClientConfig(clock).build();
        Session client = Session.client(oneMebibytePerSecond(pipe[0], clock), clientConfig);
        Session server = Session.server(pipe[1], slowLinkServerConfig().build());
        try {
            Stream[] streams = openWithLargeWindow(client, server);
            int size = 2 * 1024 * 1024;
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try {
                    return streams[1].inputStream().readNBytes(size);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            long start = clock.nanoTime();
            streams[0].write(ByteBuffer.allocate(size));
            Duration took = Duration.ofNanos(clock.nanoTime() - start);
            assertThat(took).as("the link really was slower than the write timeout")
                    .isGreaterThan(clientConfig.connectionWriteTimeout().multipliedBy(2));
            assertThat(received.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).hasSize(size);
            assertThat(client.isClosed()).isFalse();
        } finally {
            client.close();
            server.close();
        }
    }

    @Test
    void aSlowLinkThatStopsMovingFailsWithWriteTimeoutException() throws Exception {
        ManualClock clock = new ManualClock();
        PipeConn[] pipe = PipeConn.pair(64 * 1024);
        // The link moves for 32 chunks (512 KiB, half a second), then stops taking bytes, mid-batch.
        AtomicInteger chunks = new AtomicInteger();
        pipe[0].throttleWrites(16 * 1024, 1_000_000_000L / 64, nanos -> {
            clock.advance(Duration.ofNanos(nanos));
            if (chunks.incrementAndGet() == 32) {
                pipe[0].pauseWrites(true);
            }
        });
        Session client = Session.client(pipe[0], slowLinkClientConfig(clock).build());
        Session server = Session.server(pipe[1], slowLinkServerConfig().build());
        try {
            Stream[] streams = openWithLargeWindow(client, server);
            Thread[] writer = new Thread[1];
            CompletableFuture<Outcome> write = TimedCall.start(() -> streams[0].write(ByteBuffer.allocate(2 * 1024 * 1024)), writer);
            pipe[0].awaitBlockedWriter(PATIENCE);
            assertThat(client.isClosed()).as("it was moving").isFalse();
            assertThat(write).isNotDone();
            clock.advance(Duration.ofSeconds(1)); // twice the write timeout without progress
            assertThat(client.closeCause()).isInstanceOf(WriteTimeoutException.class);
            assertThat(write.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).thrown()).isInstanceOf(WriteTimeoutException.class);
        } finally {
            client.close();
            server.close();
        }
    }
}

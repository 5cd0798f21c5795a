package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.DeadlineExceededException;
import io.weft.yamux.TimedCall.Outcome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A stream's write deadline while its data frame waits for a connection another stream holds
 * (Go net.Conn semantics, as go-yamux's sendMsg): the frame is withdrawn unsent, the write fails
 * with {@link DeadlineExceededException} counting only whole frames sent, and the session, the
 * stream's window and its FIN stay exact.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QueuedWriteDeadlineTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final int WINDOW = 256 * 1024;

    /** How the session writes: callers flush themselves (a Conn), or only the writer thread does (streams). */
    enum Kind {
        CONN, STREAM_PAIR
    }

    /** Client and server over a {@link PipeConn} pair whose client-to-server direction can be paused. */
    private record Pair(PipeConn clientEnd, Session client, Session server) implements AutoCloseable {
        static Pair open(Kind kind) throws IOException {
            PipeConn[] pipe = PipeConn.pair(64 * 1024);
            // No keepalive: the only writes are the ones each test makes.
            YamuxConfig config = SessionPair.testConfig().keepAliveEnabled(false).build();
            return switch (kind) {
                case CONN -> new Pair(pipe[0], Session.client(pipe[0], config), Session.server(pipe[1], config));
                case STREAM_PAIR -> new Pair(pipe[0],
                        Session.client(Channels.newInputStream(pipe[0]), Channels.newOutputStream(pipe[0]), config),
                        Session.server(Channels.newInputStream(pipe[1]), Channels.newOutputStream(pipe[1]), config));
            };
        }

        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    private static <T> CompletableFuture<T> async(Callable<T> call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }

    private static ByteBuffer filled(int size, int value) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) value);
        return ByteBuffer.wrap(bytes);
    }

    /**
     * Whether {@code stream}'s data frame is queued behind the stuck write, not yet taken for the
     * wire: its writer enqueued it and waits under the same lock hold, so it is then waiting.
     */
    private static boolean isWaitingForTheConnection(Pair pair, Stream stream) {
        return pair.client().outbound.queuedDataFrames(stream.id()) == 1;
    }

    /**
     * Pauses the client's direction and starts a 256 KiB write on {@code stream}, returning once a
     * transport write carrying it is stuck: its first 64 KiB frame does not fit in the pipe.
     */
    private static CompletableFuture<Outcome> occupyTheConnection(Pair pair, Stream stream) throws Exception {
        pair.clientEnd().pauseWrites(true);
        CompletableFuture<Outcome> write = TimedCall.start(() -> stream.write(filled(WINDOW, 9)), new Thread[1]);
        pair.clientEnd().awaitBlockedWriter(PATIENCE);
        return write;
    }

    /** Resumes the client's direction and checks the occupying write completes and arrives whole. */
    private static void drain(Pair pair, CompletableFuture<Outcome> occupying, Stream occupyingPeer) throws Exception {
        pair.clientEnd().pauseWrites(false);
        byte[] received = async(() -> occupyingPeer.inputStream().readNBytes(WINDOW))
                .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(received).containsOnly(9).hasSize(WINDOW);
        assertThat(occupying.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).thrown()).isNull();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aQueuedFrameIsWithdrawnAtTheWriteDeadlineAndItsWindowComesBack(Kind kind) throws Exception {
        try (Pair pair = Pair.open(kind)) {
            Stream busy = pair.client().openStream();
            Stream late = pair.client().openStream();
            Stream busyPeer = pair.server().acceptStream();
            Stream latePeer = pair.server().acceptStream();
            CompletableFuture<Outcome> occupying = occupyTheConnection(pair, busy);

            long start = System.nanoTime();
            late.setWriteDeadline(Instant.now().plusMillis(200));
            Thread[] writer = new Thread[1];
            Outcome outcome = TimedCall.start(() -> late.write(filled(1000, 1)), writer)
                    .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

            assertThat(outcome.thrown()).isInstanceOf(DeadlineExceededException.class);
            assertThat(((DeadlineExceededException) outcome.thrown()).bytesTransferred).isZero();
            assertThat(Duration.ofNanos(outcome.returnedAtNanos() - start))
                    .isBetween(Duration.ofMillis(200), Duration.ofMillis(700));
            assertThat(pair.client().isClosed()).isFalse();
            assertThat(occupying).isNotDone();

            drain(pair, occupying, busyPeer);
            late.setWriteDeadline(null);
            // The whole window again, with nobody reading: only if the withdrawn frame's credit came back.
            async(() -> late.write(filled(WINDOW, 2))).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            late.closeWrite();
            byte[] received = async(() -> latePeer.inputStream().readAllBytes()).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(received).as("the withdrawn bytes never reached the peer").containsOnly(2).hasSize(WINDOW);
            assertThat(pair.client().stats().bytesOut()).isEqualTo(2L * WINDOW);
            assertThat(pair.server().stats().bytesIn()).isEqualTo(2L * WINDOW);
            assertThat(pair.client().isClosed()).isFalse();
            assertThat(pair.server().isClosed()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aWriteDeadlineMovedEarlierWakesAQueuedWriteWhichReportsTheFramesAlreadySent(Kind kind) throws Exception {
        try (Pair pair = Pair.open(kind)) {
            Stream busy = pair.client().openStream();
            Stream late = pair.client().openStream();
            Stream busyPeer = pair.server().acceptStream();
            Stream latePeer = pair.server().acceptStream();
            late.setWriteDeadline(Instant.now().plus(Duration.ofHours(1)));
            // The whole window goes out in four frames; the last 1000 bytes wait for window.
            Thread[] writer = new Thread[1];
            CompletableFuture<Outcome> write = TimedCall.start(() -> late.write(filled(WINDOW + 1000, 3)), writer);
            await().atMost(PATIENCE).until(() -> pair.server().stats().bytesIn() == WINDOW);
            CompletableFuture<Outcome> occupying = occupyTheConnection(pair, busy);
            // Reading returns the window (the server's direction is not paused): the last frame is
            // handed over and waits behind the stuck write.
            assertThat(async(() -> latePeer.inputStream().readNBytes(WINDOW)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .containsOnly(3).hasSize(WINDOW);
            await().atMost(PATIENCE).until(() -> isWaitingForTheConnection(pair, late));

            long start = System.nanoTime();
            late.setWriteDeadline(Instant.now().plusMillis(100));
            Outcome outcome = write.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

            assertThat(outcome.thrown()).isInstanceOf(DeadlineExceededException.class);
            assertThat(((DeadlineExceededException) outcome.thrown()).bytesTransferred).isEqualTo(WINDOW);
            assertThat(Duration.ofNanos(outcome.returnedAtNanos() - start))
                    .isBetween(Duration.ofMillis(100), Duration.ofMillis(600));
            assertThat(pair.client().isClosed()).isFalse();

            drain(pair, occupying, busyPeer);
            late.setWriteDeadline(null);
            late.write(filled(500, 4));
            late.closeWrite();
            byte[] rest = async(() -> latePeer.inputStream().readAllBytes()).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(rest).as("only whole frames, and the withdrawn one not at all").containsOnly(4).hasSize(500);
            assertThat(pair.client().isClosed()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFinOwedToAQueuedFrameIsSentWhenAPastDeadlineWithdrawsIt(Kind kind) throws Exception {
        try (Pair pair = Pair.open(kind)) {
            Stream busy = pair.client().openStream();
            Stream late = pair.client().openStream();
            Stream busyPeer = pair.server().acceptStream();
            Stream latePeer = pair.server().acceptStream();
            CompletableFuture<Outcome> occupying = occupyTheConnection(pair, busy);
            Thread[] writer = new Thread[1];
            CompletableFuture<Outcome> write = TimedCall.start(() -> late.write(filled(1000, 1)), writer);
            await().atMost(PATIENCE).until(() -> isWaitingForTheConnection(pair, late));
            late.closeWrite(); // the FIN is owed: it must follow the queued frame, never overtake it

            long start = System.nanoTime();
            late.setDeadline(Instant.now().minusSeconds(1));
            Outcome outcome = write.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

            assertThat(outcome.thrown()).isInstanceOf(DeadlineExceededException.class);
            assertThat(((DeadlineExceededException) outcome.thrown()).bytesTransferred).isZero();
            assertThat(Duration.ofNanos(outcome.returnedAtNanos() - start)).isLessThan(Duration.ofMillis(300));

            drain(pair, occupying, busyPeer);
            byte[] received = async(() -> latePeer.inputStream().readAllBytes()).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(received).as("the FIN arrived, and nothing of the withdrawn frame").isEmpty();
            busy.write(filled(10, 5));
            assertThat(async(() -> busyPeer.inputStream().readNBytes(10)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .containsOnly(5);
            assertThat(pair.client().stats().bytesOut()).isEqualTo(WINDOW + 10);
            assertThat(pair.client().isClosed()).isFalse();
            assertThat(pair.server().isClosed()).isFalse();
        }
    }
}

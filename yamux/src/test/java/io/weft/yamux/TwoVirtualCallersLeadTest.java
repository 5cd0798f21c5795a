package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.DeadlineExceededException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two virtual-thread callers on a session's two streams, which both may lead
 * ({@link SessionReader#FEW_STREAMS}) and take turns: every byte of an interactive
 * and a bulk stream arrives, and close, reset and a deadline end the wait of the caller that leads
 * and of the one it refused, the other going on.
 */
class TwoVirtualCallersLeadTest extends OnePairTest {
    private static final int BULK_PIECE_BYTES = 64 * 1024;


    @ParameterizedTest
    @EnumSource(value = SessionPair.Kind.class, names = {"PIPE", "NETPOLL_TCP", "SOCKET_CHANNEL"})
    void everyByteOfAnInteractiveAndABulkStreamArrives(SessionPair.Kind kind) throws Exception {
        pair = SessionPair.open(kind);
        Stream interactive = pair.client().openStream();
        Stream bulk = pair.client().openStream();
        Thread.ofVirtual().start(() -> echoAccepted(2));

        CompletableFuture<Void> small = onVirtual(() -> {
            for (int i = 0; i < 400; i++) {
                byte[] message = ("message " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                interactive.write(ByteBuffer.wrap(message));
                assertThat(readFully(interactive, message.length)).isEqualTo(message);
            }
        });
        CompletableFuture<Void> large = onVirtual(() -> {
            for (int round = 0; round < 48; round++) {
                byte[] piece = new byte[BULK_PIECE_BYTES];
                for (int i = 0; i < piece.length; i++) {
                    piece[i] = (byte) (i * 31 + round);
                }
                bulk.write(ByteBuffer.wrap(piece));
                assertThat(readFully(bulk, piece.length)).isEqualTo(piece);
            }
        });
        CompletableFuture.allOf(small, large).get(PATIENCE.toSeconds() * 3, TimeUnit.SECONDS);

        assertThat(pair.client().streamCount()).isEqualTo(2);
        if (kind != SessionPair.Kind.SOCKET_CHANNEL) {
            assertThat(pair.client().reader().ledFrames()).isPositive();
        }
    }

    /**
     * Both callers wait for data that does not come; one leads, the other was refused. {@code
     * ending} ends the wait of {@code whose} ("leader" or "refused"): it fails with the matching
     * error, the other caller goes on waiting and then gets its data.
     */
    @ParameterizedTest
    @CsvSource({"NETPOLL_TCP,CLOSE,leader", "NETPOLL_TCP,CLOSE,refused", "NETPOLL_TCP,RESET,leader",
            "NETPOLL_TCP,RESET,refused", "NETPOLL_TCP,DEADLINE,leader", "NETPOLL_TCP,DEADLINE,refused",
            "NETPOLL_TCP,INTERRUPT,leader", "NETPOLL_TCP,INTERRUPT,refused", "PIPE,CLOSE,leader", "PIPE,RESET,refused",
            "PIPE,DEADLINE,leader", "PIPE,INTERRUPT,refused"})
    void closeResetDeadlineAndInterruptEndEachCallersWait(SessionPair.Kind kind, String ending, String whose)
            throws Exception {
        Stream[] server = twoBlockedCallers(kind);
        Stream firstServer = server[0];
        Stream secondServer = server[1];

        Caller ended = whose.equals("leader") ? one : two;
        Caller goesOn = ended == one ? two : one;
        Stream endedServer = ended == one ? firstServer : secondServer;
        Stream goesOnServer = ended == one ? secondServer : firstServer;
        Class<? extends Throwable> expected = switch (ending) {
            case "CLOSE" -> {
                ended.stream.close();
                yield StreamClosedException.class;
            }
            case "RESET" -> {
                endedServer.reset();
                yield StreamResetException.class;
            }
            case "DEADLINE" -> {
                ended.stream.setReadDeadline(Instant.now().minusSeconds(1));
                yield DeadlineExceededException.class;
            }
            default -> {
                ended.thread.interrupt();
                yield java.io.InterruptedIOException.class;
            }
        };
        assertThat(failureOf(ended.read)).isInstanceOf(expected);
        assertThat(goesOn.read).isNotDone();

        goesOnServer.write(ByteBuffer.wrap(new byte[] {9}));
        assertThat(goesOn.read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(pair.client().isClosed()).isFalse();
    }

    /** The session's end, from either side, ends both callers' waits. */
    @ParameterizedTest
    @CsvSource({"NETPOLL_TCP,client", "NETPOLL_TCP,server", "PIPE,client", "PIPE,server"})
    void theSessionsEndEndsBothWaits(SessionPair.Kind kind, String closer) throws Exception {
        twoBlockedCallers(kind);

        (closer.equals("client") ? pair.client() : pair.server()).close();

        assertThat(failureOf(one.read)).isInstanceOf(IOException.class);
        assertThat(failureOf(two.read)).isInstanceOf(IOException.class);
    }

    /**
     * A third stream opened while a virtual caller leads: from then on neither caller may lead
     * again, the reader thread takes the role back, and every caller still gets its data.
     */
    @ParameterizedTest
    @EnumSource(value = SessionPair.Kind.class, names = {"PIPE", "NETPOLL_TCP"})
    void aThirdStreamWhileACallerLeadsLeavesNobodyUnserved(SessionPair.Kind kind) throws Exception {
        Stream[] server = twoBlockedCallers(kind);
        Stream third = pair.client().openStream();
        third.write(ByteBuffer.wrap(new byte[] {3}));
        Stream thirdServer = pair.server().acceptStream();
        assertThat(pair.client().streamCount()).isEqualTo(3);

        server[0].write(ByteBuffer.wrap(new byte[] {4})); // read by the leader, which may not lead again
        assertThat(one.read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        Caller thirdCaller = new Caller(third);
        server[1].write(ByteBuffer.wrap(new byte[] {5}));
        assertThat(two.read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        thirdServer.write(ByteBuffer.wrap(new byte[] {6}));
        assertThat(thirdCaller.read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);

        Caller again = new Caller(one.stream);
        server[0].write(ByteBuffer.wrap(new byte[] {7}));
        assertThat(again.read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        await().atMost(PATIENCE).until(() -> pair.client().reader().role().state() == ReadRole.DEDICATED);
    }

    private Caller one;
    private Caller two;

    /**
     * Opens a quiet pair (no keepalive) with two streams; a virtual caller blocks reading each:
     * {@link #one} leads, {@link #two} was refused. Returns the server's ends of the streams.
     */
    private Stream[] twoBlockedCallers(SessionPair.Kind kind) throws Exception {
        QuietStreams streams = twoQuietStreams(kind);
        SessionReader reader = pair.client().reader();
        Stream first = streams.first();
        Stream second = streams.second();
        Stream firstServer = streams.firstServer();
        Stream secondServer = streams.secondServer();
        assertThat(readFully(firstServer, 1)).containsExactly(1);
        assertThat(readFully(secondServer, 1)).containsExactly(2);

        one = new Caller(first);
        await().atMost(PATIENCE).until(() -> reader.leaderStream() == first);
        two = new Caller(second);
        await().atMost(PATIENCE).until(() -> two.thread.getState() == Thread.State.WAITING);
        assertThat(reader.leaderStream()).isSameAs(first); // the second caller was refused
        return new Stream[] {firstServer, secondServer};
    }

    /** A virtual thread blocked in one read of {@code stream}. */
    private static final class Caller {
        final Stream stream;
        final CompletableFuture<Integer> read = new CompletableFuture<>();
        final Thread thread;

        Caller(Stream stream) {
            this.stream = stream;
            this.thread = Thread.ofVirtual().start(() -> {
                try {
                    read.complete(stream.read(ByteBuffer.allocate(16)));
                } catch (Throwable t) {
                    read.completeExceptionally(t);
                }
            });
        }
    }

    private static Throwable failureOf(CompletableFuture<Integer> read) throws Exception {
        try {
            read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the read returned");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private void echoAccepted(int count) {
        try {
            for (int i = 0; i < count; i++) {
                Stream accepted = pair.server().acceptStream();
                Thread.ofVirtual().start(() -> echo(accepted));
            }
        } catch (IOException e) {
            // the session closed
        }
    }

    private static void echo(Stream stream) {
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        try {
            while (stream.read(buffer.clear()) > 0) {
                buffer.flip();
                stream.write(buffer);
            }
        } catch (IOException e) {
            // closed or reset
        }
    }

    private static byte[] readFully(Stream stream, int length) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(length);
        while (in.hasRemaining()) {
            if (stream.read(in) < 0) {
                throw new IOException("end of stream after " + in.position() + " of " + length + " bytes");
            }
        }
        return in.array();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static CompletableFuture<Void> onVirtual(ThrowingRunnable body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }
}

package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.DeadlineExceededException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A stream's reader that reads the session's connection itself while it waits ({@link
 * SessionReader#lead}) where the transport allows it (netpoll conns: PIPE here, NETPOLL_TCP)
 * behaves exactly as a woken reader does: every byte arrives, other streams are served meanwhile,
 * and close, reset, deadlines and interrupts end its wait. Over a SocketChannel no caller leads,
 * and the same tests pass. Run with platform-thread callers ({@link PlatformCallerLeadsTest}) and
 * virtual-thread callers, which lead while the session has at most two streams
 * ({@link VirtualCallerLeadsTest}; two of them taking turns: {@link TwoVirtualCallersLeadTest}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class CallerLeadsContract {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private SessionPair pair;
    /** The caller thread of {@link #blockedRead}, for the failure message. */
    private volatile Thread platformReader;
    /** Completed by {@link #blockedRead}'s thread once its warm-up round trip is over. */
    private final CompletableFuture<Void> warmedUp = new CompletableFuture<>();

    @AfterEach
    void close() {
        if (pair != null) {
            pair.close();
        }
    }

    /** The threads the callers under test run on. */
    abstract Thread.Builder callers();

    /** Runs {@code body} on a caller thread and waits for it. */
    private void onCaller(ThrowingRunnable body) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        callers().start(() -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get(PATIENCE.toSeconds() * 3, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw new AssertionError(e.getCause());
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static boolean leads(SessionPair.Kind kind) {
        return kind == SessionPair.Kind.PIPE || kind == SessionPair.Kind.NETPOLL_TCP;
    }

    /** Opens a pair whose server echoes every stream on a virtual thread; returns the client's first stream. */
    private Stream echoPair(SessionPair.Kind kind) throws IOException {
        pair = SessionPair.open(kind);
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Stream accepted = pair.server().acceptStream();
                    Thread.ofVirtual().start(() -> echo(accepted));
                }
            } catch (IOException e) {
                // the session closed
            }
        });
        return pair.client().openStream();
    }

    private static void echo(Stream stream) {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        try {
            while (stream.read(buffer.clear()) > 0) {
                buffer.flip();
                if (buffer.get(0) == '!') {
                    continue; // swallowed: the client's read stays blocked
                }
                stream.write(buffer);
            }
        } catch (IOException e) {
            // closed or reset
        }
    }

    private static String roundTrip(Stream stream, String message) throws IOException {
        stream.write(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
        ByteBuffer in = ByteBuffer.allocate(message.length());
        while (in.hasRemaining()) {
            if (stream.read(in) < 0) {
                throw new IOException("end of stream");
            }
        }
        return new String(in.array(), StandardCharsets.UTF_8);
    }

    /** On a caller thread: one round trip (so the reader thread hands the role over), then a read that blocks. */
    private CompletableFuture<Integer> blockedRead(Stream stream) {
        CompletableFuture<Integer> outcome = new CompletableFuture<>();
        platformReader = callers().start(() -> {
            try {
                assertThat(roundTrip(stream, "warm")).isEqualTo("warm");
                warmedUp.complete(null);
                stream.write(ByteBuffer.wrap("!".getBytes(StandardCharsets.UTF_8))); // swallowed by the echo
                outcome.complete(stream.read(ByteBuffer.allocate(16)));
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        return outcome;
    }

    private void awaitLeading(SessionPair.Kind kind, CompletableFuture<Integer> read) throws Exception {
        if (platformReader != null && read != null) {
            // Not before the warm-up is over: a wake-up meant for the blocked read would otherwise end
            // the warm-up's read, and its echo would arrive after it, in front of the next round trip.
            CompletableFuture.anyOf(warmedUp, read).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
        if (leads(kind)) {
            try {
                await().atMost(PATIENCE).until(() -> pair.client().reader().role().state() == ReadRole.LEADER);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                Thread reader = platformReader;
                throw new AssertionError("no caller leads: role " + pair.client().reader().role() + ", led frames "
                        + pair.client().reader().ledFrames() + ", read done " + read.isDone() + ", caller at "
                        + (reader == null ? "?" : java.util.Arrays.toString(reader.getStackTrace())) + " reader thread dump: "
                        + dump(), e);
            }
        } else {
            await().pollDelay(Duration.ofMillis(50)).atMost(PATIENCE).until(() -> !read.isDone());
        }
    }

    private static String dump() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().contains("yamux") || thread.getName().contains("poll")) {
                out.append('\n').append(thread).append(java.util.Arrays.toString(stack));
            }
        });
        return out.toString();
    }

    private static Throwable failureOf(CompletableFuture<Integer> read) {
        try {
            read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the read returned");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the read did not end", e);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SessionPair.Kind.class, names = {"PIPE", "NETPOLL_TCP", "SOCKET_CHANNEL"})
    void roundTripsKeepEveryByteAndAreReadByTheCaller(SessionPair.Kind kind) throws Exception {
        Stream stream = echoPair(kind);
        onCaller(() -> {
            for (int i = 0; i < 300; i++) {
                String message = "message " + i + " " + "x".repeat(i % 97);
                assertThat(roundTrip(stream, message)).isEqualTo(message);
            }
        });
        if (leads(kind)) {
            assertThat(pair.client().reader().ledFrames()).isPositive();
        } else {
            assertThat(pair.client().reader().ledFrames()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SessionPair.Kind.class, names = {"PIPE", "NETPOLL_TCP", "SOCKET_CHANNEL"})
    void otherStreamsAreServedWhileACallerLeads(SessionPair.Kind kind) throws Exception {
        Stream first = echoPair(kind);
        CompletableFuture<Integer> read = blockedRead(first);
        awaitLeading(kind, read);

        Stream second = pair.client().openStream(); // read on a virtual thread, so woken by whoever reads
        CompletableFuture<String> echoed = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                echoed.complete(roundTrip(second, "beside the leader"));
            } catch (Throwable t) {
                echoed.completeExceptionally(t);
            }
        });
        assertThat(echoed.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo("beside the leader");
        assertThat(read).isNotDone();

        pair.server().close(); // the leader reads the end of the connection itself
        assertThat(failureOf(read)).isInstanceOf(IOException.class);
        await().atMost(PATIENCE).until(() -> pair.client().isClosed());
    }

    @ParameterizedTest
    @EnumSource(value = SessionPair.Kind.class, names = {"PIPE", "NETPOLL_TCP", "SOCKET_CHANNEL"})
    void closeFromAnotherThreadEndsALeadingReadAndTheSessionGoesOn(SessionPair.Kind kind) throws Exception {
        Stream first = echoPair(kind);
        CompletableFuture<Integer> read = blockedRead(first);
        awaitLeading(kind, read);

        first.close();

        assertThat(failureOf(read)).isInstanceOf(StreamClosedException.class);
        Stream next = pair.client().openStream();
        assertThat(roundTrip(next, "after the close")).isEqualTo("after the close");
    }

    @ParameterizedTest
    @EnumSource(value = SessionPair.Kind.class, names = {"PIPE", "NETPOLL_TCP", "SOCKET_CHANNEL"})
    void aPeerResetReachesTheLeaderItself(SessionPair.Kind kind) throws Exception {
        pair = SessionPair.open(kind);
        CompletableFuture<Stream> accepted = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                accepted.complete(pair.server().acceptStream());
            } catch (Throwable t) {
                accepted.completeExceptionally(t);
            }
        });
        Stream stream = pair.client().openStream();
        stream.write(ByteBuffer.wrap(new byte[] {1}));
        Stream serverSide = accepted.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        CompletableFuture<Integer> read = new CompletableFuture<>();
        platformReader = callers().start(() -> {
            try {
                serverSide.write(ByteBuffer.wrap(new byte[] {2})); // the first delivery hands the role over
                assertThat(stream.read(ByteBuffer.allocate(1))).isEqualTo(1);
                warmedUp.complete(null);
                read.complete(stream.read(ByteBuffer.allocate(1)));
            } catch (Throwable t) {
                read.completeExceptionally(t);
            }
        });
        awaitLeading(kind, read);

        serverSide.reset();

        assertThat(failureOf(read)).isInstanceOf(StreamResetException.class);
    }

    @ParameterizedTest
    @EnumSource(value = SessionPair.Kind.class, names = {"PIPE", "NETPOLL_TCP", "SOCKET_CHANNEL"})
    void aReadDeadlineEndsALeadingReadAndTheConnectionStaysUsable(SessionPair.Kind kind) throws Exception {
        Stream stream = echoPair(kind);
        onCaller(() -> {
            assertThat(roundTrip(stream, "warm")).isEqualTo("warm");
            assertThat(roundTrip(stream, "again")).isEqualTo("again");

            stream.setReadDeadline(Instant.now().plusMillis(200));
            stream.write(ByteBuffer.wrap("!".getBytes(StandardCharsets.UTF_8)));
            assertThatThrownBy(() -> stream.read(ByteBuffer.allocate(16))).isInstanceOf(DeadlineExceededException.class);

            stream.setReadDeadline(null);
            for (int i = 0; i < 20; i++) {
                assertThat(roundTrip(stream, "after " + i)).isEqualTo("after " + i);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(value = SessionPair.Kind.class, names = {"PIPE", "NETPOLL_TCP", "SOCKET_CHANNEL"})
    void aDeadlineSetFromAnotherThreadEndsALeadingRead(SessionPair.Kind kind) throws Exception {
        Stream stream = echoPair(kind);
        CompletableFuture<Integer> read = blockedRead(stream);
        awaitLeading(kind, read);

        stream.setReadDeadline(Instant.now().minusSeconds(1));

        assertThat(failureOf(read)).isInstanceOf(DeadlineExceededException.class);
        stream.setReadDeadline(null);
        assertThat(roundTrip(stream, "still here")).isEqualTo("still here");
    }

    @ParameterizedTest
    @EnumSource(value = SessionPair.Kind.class, names = {"PIPE", "NETPOLL_TCP"})
    void anInterruptEndsALeadingReadAndKeepsTheFlag(SessionPair.Kind kind) throws Exception {
        Stream stream = echoPair(kind);
        CompletableFuture<Boolean> flagKept = new CompletableFuture<>();
        CompletableFuture<Integer> read = new CompletableFuture<>();
        Thread reader = callers().start(() -> {
            try {
                assertThat(roundTrip(stream, "warm")).isEqualTo("warm");
                stream.write(ByteBuffer.wrap("!".getBytes(StandardCharsets.UTF_8)));
                read.complete(stream.read(ByteBuffer.allocate(16)));
            } catch (Throwable t) {
                flagKept.complete(Thread.interrupted());
                read.completeExceptionally(t);
            }
        });
        awaitLeading(kind, read);

        reader.interrupt();

        assertThat(failureOf(read)).isInstanceOf(InterruptedIOException.class);
        assertThat(flagKept.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(roundTrip(stream, "after the interrupt")).isEqualTo("after the interrupt");
    }
}

package io.weft.netpoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.weft.netpoll.TestThreads.Call;
import io.weft.netpoll.TestThreads.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The behaviour every {@link Conn} must have, whatever carries it (TCP on each poller, unix
 * sockets, yamux streams). A subclass supplies connected pairs with {@link #connect()}.
 *
 * <p>The cases port, by behaviour, Go's {@code golang.org/x/net/nettest} conntest (basic I/O,
 * ping-pong, racy read, racy write, read/write timeout, past/present/future/close timeout,
 * concurrent methods), plus deadlines moved while calls are blocked, close releasing blocked
 * calls, half-close both ways, end of stream, interrupt, vectored I/O and the stream views.
 * Blocking cases run on platform and on virtual threads.
 *
 * <p>Timing assertions leave generous margins (a loaded 2-core machine), as Go's tests do.
 */
public abstract class ConnContractTest {
    /** How long a "should not have ended yet" check waits. */
    protected static final Duration SHORT = Duration.ofMillis(200);
    /** How long any single blocking step may take before the test fails. */
    protected static final Duration PATIENCE = Duration.ofSeconds(10);

    /** Threads started by the test; joined after each test. */
    protected final TestThreads threads = new TestThreads();
    /** The pair under test: {@code c1} and {@code c2} are its two ends. */
    protected ConnPair pair;
    /** One end of the pair. */
    protected Conn c1;
    /** The other end. */
    protected Conn c2;

    /** Returns a freshly connected pair; both ends open, no deadlines. */
    protected abstract ConnPair connect() throws Exception;

    /**
     * Whether a write can complete (at least partly) before the peer reads: true for sockets and
     * yamux streams (kernel buffers, windows), false for a synchronous pipe.
     */
    protected boolean buffersWrites() {
        return true;
    }

    /**
     * Whether a write that times out may already have taken bytes although the peer read
     * nothing: as {@link #buffersWrites()} by default; true for TLS over a pipe, which seals
     * records before the pipe takes them (and sends them first on the next write).
     */
    protected boolean acceptsBytesBeforeThePeerReads() {
        return buffersWrites();
    }

    /** The type of error blocked and later calls get after close; narrowed by transports. */
    protected Class<? extends IOException> closedExceptionType() {
        return IOException.class;
    }

    @BeforeEach
    void connectPair() throws Exception {
        pair = connect();
        c1 = pair.first();
        c2 = pair.second();
    }

    @AfterEach
    void closePair() throws Exception {
        try {
            c1.close();
            c2.close();
            pair.cleanup().close();
        } finally {
            threads.joinAll(PATIENCE);
        }
    }

    // ------------------------------------------------------------------ nettest: basic I/O

    @Test
    void basicIoEchoesEveryByteInOrder() throws Exception {
        byte[] data = randomBytes(1 << 20, 1);
        threads.start(Kind.VIRTUAL, () -> echo(c2));
        Call<Void> writer = threads.start(Kind.VIRTUAL, () -> {
            Random sizes = new Random(2);
            int offset = 0;
            while (offset < data.length) {
                int n = Math.min(data.length - offset, 1 + sizes.nextInt(64 * 1024));
                assertThat(c1.write(ByteBuffer.wrap(data, offset, n))).isEqualTo(n);
                offset += n;
            }
            c1.closeWrite();
            return null;
        });
        byte[] echoed = c1.inputStream().readAllBytes();
        writer.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(echoed).hasSize(data.length);
        assertThat(Arrays.equals(echoed, data)).as("echoed bytes equal the sent bytes").isTrue();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void pingPongAlternatesInLockstep(Kind kind) throws Exception {
        int rounds = 1000;
        Call<Long> ponger = threads.start(kind, () -> {
            ByteBuffer buffer = ByteBuffer.allocate(8);
            long last = -1;
            while (true) {
                buffer.clear();
                if (readFully(c2, buffer) < 0) {
                    return last;
                }
                last = buffer.flip().getLong(0);
                buffer.putLong(0, last + 1);
                c2.write(buffer);
            }
        });
        Call<Long> pinger = threads.start(kind, () -> {
            ByteBuffer buffer = ByteBuffer.allocate(8);
            long value = 0;
            for (int i = 0; i < rounds; i++) {
                buffer.clear().putLong(0, value);
                c1.write(buffer);
                buffer.clear();
                assertThat(readFully(c1, buffer)).isEqualTo(8);
                assertThat(buffer.getLong(0)).isEqualTo(value + 1);
                value += 2;
            }
            c1.closeWrite();
            return value;
        });
        assertThat(pinger.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2L * rounds);
        assertThat(ponger.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2L * rounds - 2);
    }

    @Test
    void racyReadsWithMovingDeadlinesNeitherCrashNorHang() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        threads.start(Kind.VIRTUAL, () -> {
            byte[] chunk = randomBytes(1024, 3);
            while (!stop.get()) {
                c2.write(ByteBuffer.wrap(chunk));
            }
            return null;
        });
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        List<Call<Void>> readers = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            int seed = t;
            readers.add(threads.start(t % 2 == 0 ? Kind.VIRTUAL : Kind.PLATFORM, () -> {
                Random random = new Random(seed);
                for (int i = 0; i < 20; i++) {
                    c1.setReadDeadline(Instant.now().plusMillis(random.nextInt(5)));
                    try {
                        c1.read(ByteBuffer.allocate(1 + random.nextInt(8192)));
                    } catch (SocketTimeoutException expected) {
                        // racing the deadline is the point
                    } catch (Throwable t2) {
                        unexpected.add(t2);
                    }
                }
                return null;
            }));
        }
        for (Call<Void> reader : readers) {
            reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
        stop.set(true);
        c1.setReadDeadline(null);
        threads.start(Kind.VIRTUAL, () -> drain(c1)); // unblock the writer
        assertThat(unexpected).isEmpty();
    }

    @Test
    void racyWritesWithMovingDeadlinesNeitherCrashNorHang() throws Exception {
        threads.start(Kind.VIRTUAL, () -> drain(c2));
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        List<Call<Void>> writers = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            int seed = t;
            writers.add(threads.start(t % 2 == 0 ? Kind.VIRTUAL : Kind.PLATFORM, () -> {
                Random random = new Random(seed);
                for (int i = 0; i < 20; i++) {
                    c1.setWriteDeadline(Instant.now().plusMillis(random.nextInt(5)));
                    try {
                        c1.write(ByteBuffer.allocate(1 + random.nextInt(64 * 1024)));
                    } catch (SocketTimeoutException expected) {
                        // racing the deadline is the point
                    } catch (Throwable t2) {
                        unexpected.add(t2);
                    }
                }
                return null;
            }));
        }
        for (Call<Void> writer : writers) {
            writer.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(unexpected).isEmpty();
    }

    @Test
    void concurrentMethodsAreSafe() throws Exception {
        threads.start(Kind.VIRTUAL, () -> echo(c2));
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        List<Call<Void>> callers = new ArrayList<>();
        for (int t = 0; t < 40; t++) {
            int seed = t;
            callers.add(threads.start(t % 4 == 0 ? Kind.PLATFORM : Kind.VIRTUAL, () -> {
                Random random = new Random(seed);
                for (int i = 0; i < 10; i++) {
                    try {
                        switch (random.nextInt(7)) {
                            case 0 -> c1.setDeadline(Instant.now().plusMillis(10));
                            case 1 -> c1.setReadDeadline(Instant.now().plusMillis(10));
                            case 2 -> c1.setWriteDeadline(Instant.now().plusMillis(10));
                            case 3 -> c1.read(ByteBuffer.allocate(1 + random.nextInt(1024)));
                            case 4 -> c1.write(ByteBuffer.allocate(1 + random.nextInt(1024)));
                            case 5 -> assertThat(c1.localAddress()).isEqualTo(c1.localAddress());
                            default -> assertThat(c1.remoteAddress()).isEqualTo(c1.remoteAddress());
                        }
                    } catch (SocketTimeoutException expected) {
                        // deadlines of 10 ms are meant to fire
                    } catch (Throwable t2) {
                        unexpected.add(t2);
                    }
                }
                return null;
            }));
        }
        for (Call<Void> caller : callers) {
            caller.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(unexpected).isEmpty();
    }

    // ------------------------------------------------------------------ nettest: timeouts

    @Test
    void readTimesOutAtPastDeadline() throws Exception {
        c1.setReadDeadline(Instant.now().minusSeconds(1));
        assertThatThrownBy(() -> c1.read(ByteBuffer.allocate(8)))
                .isInstanceOf(DeadlineExceededException.class)
                .hasMessageContaining("i/o timeout");
    }

    @Test
    void writeTimesOutAtPastDeadline() throws Exception {
        c1.setWriteDeadline(Instant.now().minusSeconds(1));
        assertThatThrownBy(() -> c1.write(ByteBuffer.allocate(8)))
                .isInstanceOf(DeadlineExceededException.class);
    }

    @Test
    void pastDeadlineFailsEveryCallAndClearingItRestoresTheConn() throws Exception {
        c1.setDeadline(Instant.EPOCH);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> c1.read(ByteBuffer.allocate(8))).isInstanceOf(DeadlineExceededException.class);
            assertThatThrownBy(() -> c1.write(ByteBuffer.allocate(8))).isInstanceOf(DeadlineExceededException.class);
        }
        c1.setDeadline(null);
        Call<Long> sent = send(c2, 7);
        assertThat(readByte(c1)).isEqualTo(7);
        sent(sent);
        sent = send(c1, 8);
        assertThat(readByte(c2)).isEqualTo(8);
        sent(sent);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void presentDeadlineWakesBlockedReadAndWrite(Kind kind) throws Exception {
        Call<Throwable> reader = threads.start(kind, () -> catchThrowable(() -> c1.read(ByteBuffer.allocate(64))));
        Call<Throwable> writer = threads.start(kind, () -> catchThrowable(() -> fillUntilFailure(c1)));
        reader.awaitBlocked();
        writer.awaitBlocked();
        c1.setDeadline(Instant.now());
        assertThat(reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(DeadlineExceededException.class);
        assertThat(writer.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(DeadlineExceededException.class);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void futureDeadlineEndsBlockedReadAndWriteWhenItPasses(Kind kind) throws Exception {
        long start = System.nanoTime();
        c1.setDeadline(Instant.now().plusMillis(150));
        Call<Throwable> reader = threads.start(kind, () -> catchThrowable(() -> c1.read(ByteBuffer.allocate(64))));
        Call<Throwable> writer = threads.start(kind, () -> catchThrowable(() -> fillUntilFailure(c1)));
        assertThat(reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(DeadlineExceededException.class);
        assertThat(writer.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(DeadlineExceededException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(140));
    }

    @Test
    void closeDuringFutureDeadlineGivesClosedErrorNotTimeout() throws Exception {
        c1.setDeadline(Instant.now().plusSeconds(30));
        Call<Throwable> reader = threads.start(Kind.VIRTUAL, () -> catchThrowable(() -> c1.read(ByteBuffer.allocate(64))));
        Call<Throwable> writer = threads.start(Kind.VIRTUAL, () -> catchThrowable(() -> fillUntilFailure(c1)));
        reader.awaitBlocked();
        writer.awaitBlocked();
        c1.close();
        assertThat(reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(closedExceptionType()).isNotInstanceOf(SocketTimeoutException.class);
        assertThat(writer.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(closedExceptionType()).isNotInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void deadlineMovedEarlierWhileBlockedAppliesToThePendingCalls() throws Exception {
        c1.setDeadline(Instant.now().plusSeconds(60));
        Call<Throwable> reader = threads.start(Kind.VIRTUAL, () -> catchThrowable(() -> c1.read(ByteBuffer.allocate(64))));
        Call<Throwable> writer = threads.start(Kind.PLATFORM, () -> catchThrowable(() -> fillUntilFailure(c1)));
        reader.awaitBlocked();
        writer.awaitBlocked();
        long movedAt = System.nanoTime();
        c1.setDeadline(Instant.now().plusMillis(100));
        assertThat(reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(DeadlineExceededException.class);
        assertThat(writer.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(DeadlineExceededException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - movedAt)).isBetween(Duration.ofMillis(90), Duration.ofSeconds(5));
    }

    @Test
    void deadlineMovedLaterWhileBlockedExtendsThePendingCalls() throws Exception {
        // The first deadline leaves time for both calls to block first even on a loaded machine
        // (filling a TLS connection's buffers takes a while; 300 ms failed there).
        c1.setDeadline(Instant.now().plusMillis(1000));
        long start = System.nanoTime();
        Call<Throwable> reader = threads.start(Kind.VIRTUAL, () -> catchThrowable(() -> c1.read(ByteBuffer.allocate(64))));
        Call<Throwable> writer = threads.start(Kind.PLATFORM, () -> catchThrowable(() -> fillUntilFailure(c1)));
        reader.awaitBlocked();
        writer.awaitBlocked();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("blocked before the first deadline").isLessThan(Duration.ofMillis(1000));
        c1.setDeadline(Instant.now().plusMillis(1500));
        assertThat(reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(DeadlineExceededException.class);
        assertThat(writer.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(DeadlineExceededException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1450));
    }

    @Test
    void deadlineClearedWhileBlockedLetsTheReadWaitForData() throws Exception {
        c1.setReadDeadline(Instant.now().plusMillis(300));
        Call<Integer> reader = threads.start(Kind.VIRTUAL, () -> readByte(c1));
        reader.awaitBlocked();
        c1.setReadDeadline(null);
        assertThatThrownBy(() -> reader.result().get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        sent(send(c2, 42));
        assertThat(reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void readTimeoutLeavesTheConnUsable() throws Exception {
        c1.setReadDeadline(Instant.now().plusMillis(50));
        assertThatThrownBy(() -> c1.read(ByteBuffer.allocate(8))).isInstanceOf(DeadlineExceededException.class);
        c1.setReadDeadline(Instant.now().plusSeconds(30));
        Call<Long> sent = send(c2, 1, 2, 3);
        ByteBuffer got = ByteBuffer.allocate(3);
        assertThat(readFully(c1, got)).isEqualTo(3);
        sent(sent);
        assertThat(got.array()).containsExactly(1, 2, 3);
    }

    @Test
    void writeTimeoutReportsBytesWrittenBeforeIt() throws Exception {
        byte[] huge = new byte[32 << 20];
        c1.setWriteDeadline(Instant.now().plusMillis(200));
        Throwable failure = catchThrowable(() -> c1.write(ByteBuffer.wrap(huge)));
        assertThat(failure).isInstanceOf(DeadlineExceededException.class);
        int transferred = ((DeadlineExceededException) failure).bytesTransferred;
        assertThat(transferred).isLessThan(huge.length);
        if (acceptsBytesBeforeThePeerReads()) {
            assertThat(transferred).isPositive();
        } else {
            assertThat(transferred).isZero();
        }
    }

    // ------------------------------------------------------------------ close, EOF, half-close

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeReleasesBlockedReaderAndWriter(Kind kind) throws Exception {
        Call<Throwable> reader = threads.start(kind, () -> catchThrowable(() -> c1.read(ByteBuffer.allocate(64))));
        Call<Throwable> writer = threads.start(kind, () -> catchThrowable(() -> fillUntilFailure(c1)));
        reader.awaitBlocked();
        writer.awaitBlocked();
        c1.close();
        assertThat(reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(closedExceptionType());
        assertThat(writer.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(closedExceptionType());
    }

    @Test
    void callsAfterCloseFailWithClosedErrorAndCloseIsIdempotent() throws Exception {
        c1.close();
        c1.close();
        assertThatThrownBy(() -> c1.read(ByteBuffer.allocate(8))).isInstanceOf(closedExceptionType());
        assertThatThrownBy(() -> c1.write(ByteBuffer.allocate(8))).isInstanceOf(closedExceptionType());
        assertThatThrownBy(() -> c1.write(new ByteBuffer[] {ByteBuffer.allocate(8)})).isInstanceOf(closedExceptionType());
        assertThatThrownBy(() -> c1.setReadDeadline(Instant.now())).isInstanceOf(closedExceptionType());
        assertThat(c1.isOpen()).isFalse();
    }

    @Test
    void peerCloseGivesDataThenEndOfStream() throws Exception {
        Call<Long> sent = send(c2, 1, 2, 3, 4);
        ByteBuffer got = ByteBuffer.allocate(4);
        if (buffersWrites()) {
            c2.close(); // the bytes are already on their way
            assertThat(readFully(c1, got)).isEqualTo(4);
        } else {
            assertThat(readFully(c1, got)).isEqualTo(4);
            sent(sent);
            // Unbuffered: whatever close says to the peer (TLS's close_notify) needs a reader.
            Call<Integer> end = threads.start(Kind.VIRTUAL, () -> c1.read(ByteBuffer.allocate(8)));
            c2.close();
            assertThat(end.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(-1);
        }
        assertThat(c1.read(ByteBuffer.allocate(8))).isEqualTo(-1);
        assertThat(c1.read(ByteBuffer.allocate(8))).isEqualTo(-1);
    }

    @Test
    void closeWriteHalfClosesEachWayInTurn() throws Exception {
        Call<Long> sent = send(c1, 1);
        assertThat(readByte(c2)).isEqualTo(1);
        sent(sent);
        closeWriteTwice(c1);
        assertThat(c2.read(ByteBuffer.allocate(8))).isEqualTo(-1);
        assertThatThrownBy(() -> c1.write(ByteBuffer.wrap(new byte[] {2}))).isInstanceOf(IOException.class);

        sent = send(c2, 3);
        assertThat(readByte(c1)).isEqualTo(3);
        sent(sent);
        closeWriteTwice(c2);
        assertThat(c1.read(ByteBuffer.allocate(8))).isEqualTo(-1);
    }

    @Test
    void closeWriteFromPeerEndsBlockedRead() throws Exception {
        Call<Integer> reader = threads.start(Kind.VIRTUAL, () -> c1.read(ByteBuffer.allocate(8)));
        reader.awaitBlocked();
        c2.closeWrite();
        assertThat(reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(-1);
    }

    @Test
    void closeReadEndsBlockedAndLaterReadsWithEndOfStream() throws Exception {
        Call<Integer> reader = threads.start(Kind.VIRTUAL, () -> c1.read(ByteBuffer.allocate(8)));
        reader.awaitBlocked();
        c1.closeRead();
        assertThat(reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(c1.read(ByteBuffer.allocate(8))).isEqualTo(-1);
        Call<Long> sent = send(c1, 5); // the write side still works
        assertThat(readByte(c2)).isEqualTo(5);
        sent(sent);
    }

    /**
     * Go checks the deadline before the read (pollDesc.prepareRead), so after closeRead a
     * passed read deadline is an i/o timeout, not end of stream (issue 13, defect 20); clearing
     * it gives end of stream again.
     */
    @Test
    void closeReadThenPassedReadDeadlineIsATimeoutNotEndOfStream() throws Exception {
        c1.closeRead();
        c1.setReadDeadline(Instant.now().minusSeconds(1));
        assertThatThrownBy(() -> c1.read(ByteBuffer.allocate(8)))
                .isInstanceOf(DeadlineExceededException.class)
                .hasMessageContaining("i/o timeout");
        assertThatThrownBy(() -> c1.read(new ByteBuffer[] {ByteBuffer.allocate(8)}, 0, 1))
                .isInstanceOf(DeadlineExceededException.class);
        c1.setReadDeadline(null);
        assertThat(c1.read(ByteBuffer.allocate(8))).isEqualTo(-1);
    }

    // ------------------------------------------------------------------ interrupt

    @ParameterizedTest
    @EnumSource(Kind.class)
    void interruptEndsBlockedReadKeepsFlagAndLeavesConnOpen(Kind kind) throws Exception {
        Call<Boolean> reader = threads.start(kind, () -> {
            Throwable failure = catchThrowable(() -> c1.read(ByteBuffer.allocate(8)));
            assertThat(failure).isInstanceOf(InterruptedIOException.class).isNotInstanceOf(SocketTimeoutException.class);
            return Thread.currentThread().isInterrupted();
        });
        reader.awaitBlocked();
        reader.thread().interrupt();
        assertThat(reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("interrupt flag kept").isTrue();
        assertThat(c1.isOpen()).isTrue();
        Call<Long> sent = send(c2, 9);
        assertThat(readByte(c1)).isEqualTo(9);
        sent(sent);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void interruptEndsBlockedWriteAndLeavesConnOpen(Kind kind) throws Exception {
        Call<Throwable> writer = threads.start(kind, () -> catchThrowable(() -> fillUntilFailure(c1)));
        writer.awaitBlocked();
        writer.thread().interrupt();
        assertThat(writer.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(InterruptedIOException.class).isNotInstanceOf(SocketTimeoutException.class);
        assertThat(c1.isOpen()).isTrue();
        Call<Long> sent = send(c2, 9);
        assertThat(readByte(c1)).isEqualTo(9);
        sent(sent);
    }

    // ------------------------------------------------------------------ vectored I/O and views

    @Test
    void gatheringWriteAndScatteringReadKeepOrder() throws Exception {
        ByteBuffer[] out = {ByteBuffer.wrap(new byte[] {1, 2}), ByteBuffer.allocate(0), ByteBuffer.wrap(new byte[] {3, 4, 5})};
        Call<Long> sent = threads.start(Kind.VIRTUAL, () -> c1.write(out));
        ByteBuffer first = ByteBuffer.allocate(3);
        ByteBuffer second = ByteBuffer.allocate(2);
        ByteBuffer[] in = {first, second};
        long total = 0;
        while (total < 5) {
            long n = c2.read(in);
            assertThat(n).isPositive();
            total += n;
        }
        assertThat(sent(sent)).isEqualTo(5);
        assertThat(first.array()).containsExactly(1, 2, 3);
        assertThat(second.array()).containsExactly(4, 5);
    }

    @Test
    void zeroLengthReadReturnsAtOnce() throws Exception {
        assertThat(c1.read(ByteBuffer.allocate(0))).isZero();
        assertThat(c1.read(new ByteBuffer[] {ByteBuffer.allocate(0)})).isZero();
    }

    @Test
    void streamViewsCarryBytesAndEndOfStream() throws Exception {
        InputStream in = c2.inputStream();
        OutputStream out = c1.outputStream();
        assertThat(c2.inputStream()).isSameAs(in);
        assertThat(c1.outputStream()).isSameAs(out);
        Call<Void> sent = threads.start(Kind.VIRTUAL, () -> {
            out.write(200);
            out.write(new byte[] {1, 2, 3});
            out.flush();
            c1.closeWrite();
            return null;
        });
        assertThat(in.read()).isEqualTo(200);
        assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
        sent.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(in.read()).isEqualTo(-1);
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Writes {@code bytes} to {@code conn}: at once when the implementation buffers writes, else
     * on a virtual thread (a pipe's write waits for the reader). Pass the result to {@link #sent}.
     */
    protected Call<Long> send(Conn conn, int... bytes) throws Exception {
        byte[] data = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            data[i] = (byte) bytes[i];
        }
        Call<Long> call = threads.start(Kind.VIRTUAL, () -> (long) conn.write(ByteBuffer.wrap(data)));
        if (buffersWrites()) {
            sent(call);
        }
        return call;
    }

    /**
     * Half-closes {@code conn} twice (idempotent): at once when writes buffer, else on a virtual
     * thread, since what the half-close sends (TLS's close_notify) waits for the reader like a
     * write. The caller's next read on the peer takes it.
     */
    private void closeWriteTwice(Conn conn) throws Exception {
        Call<Void> call = threads.start(Kind.VIRTUAL, () -> {
            conn.closeWrite();
            conn.closeWrite();
            return null;
        });
        if (buffersWrites()) {
            call.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Waits for a {@link #send} to complete and returns the bytes written. */
    protected static long sent(Call<Long> call) throws Exception {
        return call.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    /** Copies everything {@code conn} reads back to it, then half-closes. */
    protected static Void echo(Conn conn) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32 * 1024);
        while (conn.read(buffer.clear()) >= 0) {
            conn.write(buffer.flip());
        }
        conn.closeWrite();
        return null;
    }

    /** Reads and discards until end of stream or an error. */
    protected static Void drain(Conn conn) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (conn.read(buffer.clear()) >= 0) {
                // discard
            }
        } catch (IOException ignored) {
            // the test is over
        }
        return null;
    }

    /** Writes until a write fails (the peer is not reading); the failure propagates. */
    protected static Void fillUntilFailure(Conn conn) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(256 * 1024);
        while (true) {
            conn.write(chunk.clear());
        }
    }

    /** Reads until {@code buffer} is full or end of stream; returns bytes read, or -1 if none before EOF. */
    protected static int readFully(Conn conn, ByteBuffer buffer) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int n = conn.read(buffer);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
        }
        return total;
    }

    /** Reads one byte, failing at end of stream. */
    protected static int readByte(Conn conn) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        assertThat(readFully(conn, one)).isEqualTo(1);
        return one.get(0);
    }

    /** Deterministic pseudo-random bytes. */
    protected static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}

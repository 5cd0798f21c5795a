package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Outbound} on its own, over a transport whose first write sticks until the test lets it go. */
@Timeout(30)
class OutboundTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    /** Records the stream id of every frame header written; the first write blocks until released. */
    private static final class StuckTransport extends Transport {
        final boolean callersMayWrite;
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger writesEntered = new AtomicInteger();
        final List<Integer> streamsWritten = new CopyOnWriteArrayList<>();
        /** The thread of every write call, in order. */
        final List<Thread> writers = new CopyOnWriteArrayList<>();
        /** When set, a released write fails instead of writing, as over a reset connection. */
        volatile boolean failWrites;

        StuckTransport(boolean callersMayWrite) {
            this.callersMayWrite = callersMayWrite;
        }

        @Override
        boolean callersMayWrite() {
            return callersMayWrite;
        }

        @Override
        int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        void write(ByteBuffer[] srcs, int offset, int count) throws IOException {
            writesEntered.incrementAndGet();
            writers.add(Thread.currentThread());
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
            if (failWrites) {
                throw new IOException("connection reset by peer (test)");
            }
            for (int i = offset; i < offset + count; i++) {
                ByteBuffer b = srcs[i];
                if (b.remaining() == FrameHeader.SIZE) {
                    streamsWritten.add(FrameHeader.streamIdAt(b.array(), b.arrayOffset() + b.position()));
                }
                b.position(b.limit());
            }
        }

        @Override
        void close() {
            release.countDown();
        }

        @Override
        SocketAddress localAddress() {
            return null;
        }

        @Override
        SocketAddress remoteAddress() {
            return null;
        }
    }

    private StuckTransport transport;
    private Outbound outbound;

    private void start(boolean callersMayWrite) {
        transport = new StuckTransport(callersMayWrite);
        outbound = new Outbound(transport, new SessionCounters("test"), new ManualClock(), Thread.ofVirtual().factory(),
                e -> { });
        outbound.start();
    }

    @AfterEach
    void release() {
        outbound.fail(new SessionClosedException("test over", null), null);
        transport.release.countDown();
    }

    private CompletableFuture<Void> writeAsync(int streamId, int bytes) {
        return CompletableFuture.runAsync(() -> {
            try {
                outbound.writeData(FrameHeader.data(streamId, 0, bytes).toBytes(), ByteBuffer.allocate(bytes),
                        () -> Deadlines.NONE);
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, task -> Thread.ofVirtual().start(task));
    }

    @Test
    void writeControlPutsTheFrameOnTheWireOnTheCallersThreadWhenNobodyFlushes() {
        start(true);
        transport.release.countDown(); // writes do not stick

        assertThat(outbound.writeControl(FrameType.WINDOW_UPDATE, 0, 11, 1024)).isTrue();

        assertThat(transport.streamsWritten).containsExactly(11); // written before the call returned
        assertThat(transport.writers).containsExactly(Thread.currentThread());
        assertThat(outbound.controlQueued()).isZero();
    }

    @Test
    void writeControlWhileAnotherThreadFlushesQueuesTheFrameForItAndReturnsAtOnce() throws Exception {
        start(true);
        CompletableFuture<Void> flusher = writeAsync(7, 10); // an application flusher, stuck in its write
        await().atMost(PATIENCE).until(() -> transport.writesEntered.get() == 1);

        assertThat(outbound.writeControl(FrameType.WINDOW_UPDATE, 0, 13, 1024)).isTrue();
        assertThat(outbound.controlQueued()).isEqualTo(1);

        transport.release.countDown();
        flusher.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        await().atMost(PATIENCE).until(() -> transport.streamsWritten.size() == 2);
        assertThat(transport.streamsWritten).containsExactly(7, 13);
        assertThat(transport.writers).doesNotContain(Thread.currentThread());
    }

    @Test
    void writeControlOverATransportCallersMayNotWriteLeavesTheFrameToTheWriterThread() {
        start(false);
        transport.release.countDown();

        assertThat(outbound.writeControl(FrameType.WINDOW_UPDATE, 0, 15, 1024)).isTrue();

        await().atMost(PATIENCE).until(() -> transport.streamsWritten.contains(15));
        assertThat(transport.writers).doesNotContain(Thread.currentThread());
    }

    @Test
    void writeControlAfterTheSessionFailedSendsNothing() {
        start(true);
        transport.release.countDown();
        outbound.fail(new SessionClosedException("closed", null), null);

        assertThat(outbound.writeControl(FrameType.WINDOW_UPDATE, 0, 17, 1024)).isFalse();
        assertThat(transport.streamsWritten).doesNotContain(17);
    }

    @Test
    void withdrawDataFailsTheQueuedFramesOfThatStreamOnlyAndSendsNothingOfThem() throws Exception {
        start(false); // the writer thread writes for everyone
        CompletableFuture<Void> inFlight = writeAsync(3, 100); // taken by the writer thread, then stuck
        await().atMost(PATIENCE).until(() -> transport.writesEntered.get() == 1);
        CompletableFuture<Void> queued = writeAsync(3, 200);
        CompletableFuture<Void> otherStream = writeAsync(5, 300);
        await().atMost(PATIENCE).until(() -> outboundDataQueued() == 2);

        StreamResetException cause = new StreamResetException(3, 0, false);
        assertThat(outbound.withdrawData(3, cause)).isEqualTo(1);

        Throwable thrown = catchFailure(queued);
        assertThat(thrown).isSameAs(cause);
        assertThat(inFlight).as("a frame already taken for the wire is left alone").isNotDone();
        assertThat(otherStream).isNotDone();
        assertThat(outbound.withdrawData(3, cause)).as("nothing left to withdraw").isZero();

        transport.release.countDown();
        inFlight.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        otherStream.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(transport.streamsWritten).containsExactly(3, 5);
    }

    @Test
    void withdrawDataReleasesAnApplicationFlusherWaitingBehindOthers() throws Exception {
        // Over a transport that lets callers write, the first writer flushes on its own thread; a
        // frame queued behind it is still withdrawable.
        start(true);
        CompletableFuture<Void> first = writeAsync(7, 10);
        await().atMost(PATIENCE).until(() -> transport.writesEntered.get() == 1);
        CompletableFuture<Void> behind = writeAsync(9, 10);
        await().atMost(PATIENCE).until(() -> outboundDataQueued() == 1);
        IOException cause = new StreamResetException(9, 0, false);
        outbound.withdrawData(9, cause);
        assertThat(catchFailure(behind)).isSameAs(cause);
        transport.release.countDown();
        first.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(transport.streamsWritten).containsExactly(7);
    }

    @Test
    void aSessionFailureReleasesTheWritersOfQueuedAndInFlightFramesWhileTheWriteIsStuck() throws Exception {
        // Each waiting writer waits for its own frame: a failure must wake the writer of a frame
        // already taken into the stuck batch, not only those still queued.
        start(false);
        CompletableFuture<Void> inFlight = writeAsync(3, 100);
        await().atMost(PATIENCE).until(() -> transport.writesEntered.get() == 1);
        CompletableFuture<Void> queued = writeAsync(5, 100);
        await().atMost(PATIENCE).until(() -> outboundDataQueued() == 1);

        outbound.fail(new SessionClosedException("gone", null), null);

        assertThat(catchFailure(queued)).isInstanceOf(SessionClosedException.class);
        assertThat(catchFailure(inFlight)).as("released while its transport write is still stuck")
                .isInstanceOf(SessionClosedException.class);
        assertThat(transport.release.getCount()).as("the stuck write was not let go").isOne();
    }

    @Test
    void aWriterWhoseBatchFailedBeforeTheSessionFailureReachedOutboundIsReleasedByIt() throws Exception {
        // The session may already be failing on another thread (the reader saw the same reset) when
        // the flusher's write fails: the failure sink then returns without failing the outbound,
        // and the batch's writer must still be released when the session's failure arrives later.
        start(false); // the failure sink of start() ignores the write failure, like a session already CLOSED
        CompletableFuture<Void> inBatch = writeAsync(3, 100);
        await().atMost(PATIENCE).until(() -> transport.writesEntered.get() == 1);
        transport.failWrites = true;
        transport.release.countDown();
        await().atMost(PATIENCE).until(() -> outbound.framesInFlight() == 0);
        assertThat(inBatch).as("still waiting for the session's failure").isNotDone();

        outbound.fail(new SessionClosedException("connection lost", null), null);

        assertThat(catchFailure(inBatch)).isInstanceOf(SessionClosedException.class);
    }

    private int outboundDataQueued() {
        return outbound.dataQueued();
    }

    private static Throwable catchFailure(CompletableFuture<Void> call) throws InterruptedException {
        try {
            call.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the write returned");
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the write still blocks", e);
        }
    }
}

package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a session ends: which thread completes {@link Session#closeFuture()}, which cause
 * {@link Session#closeCause()} keeps, and what the session still holds once it is over. The
 * other end of each session is a bare pipe end that the test writes raw frames to, or leaves
 * silent (so keepalive pings go unanswered).
 */
@Timeout(30)
class SessionEndTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final List<Session> sessions = new ArrayList<>();
    private final List<PipeConn> rawEnds = new ArrayList<>();

    @AfterEach
    void closeEverything() throws IOException {
        for (Session session : sessions) {
            session.close();
        }
        for (PipeConn raw : rawEnds) {
            raw.close();
        }
    }

    /** A client session whose peer is a raw pipe end, returned by {@link #rawEnd}. */
    private Session clientFacingRawEnd(YamuxConfig config) {
        PipeConn[] pipe = PipeConn.pair(64 * 1024);
        rawEnds.add(pipe[1]);
        Session session = Session.client(pipe[0], config);
        sessions.add(session);
        return session;
    }

    private PipeConn rawEnd(int index) {
        return rawEnds.get(index);
    }

    private static void sendRaw(PipeConn raw, FrameHeader frame) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(frame.toBytes());
        while (bytes.hasRemaining()) {
            raw.write(bytes);
        }
    }

    /**
     * Keepalive pings after 50 ms idle; a ping unanswered for 200 ms fails the session, on the
     * thread advancing {@code clock} (in production, the timer thread every session shares). So
     * 300 ms of {@code clock} time with a silent peer fail it.
     */
    private static YamuxConfig.Builder fastKeepAlive(ManualClock clock) {
        return YamuxConfig.builder()
                .clock(clock)
                .keepAliveInterval(Duration.ofMillis(50))
                .connectionWriteTimeout(Duration.ofMillis(200));
    }

    @Test
    void closeFutureActionsDoNotRunOnTheReaderThatFailedTheSession() throws Exception {
        AtomicReference<Thread> reader = new AtomicReference<>();
        ThreadFactory sessionThreads = Thread.ofVirtual().factory();
        ThreadFactory recording = task -> {
            Thread thread = sessionThreads.newThread(task);
            if (task instanceof SessionReader) {
                reader.set(thread);
            }
            return thread;
        };
        Session session = clientFacingRawEnd(YamuxConfig.builder().keepAliveEnabled(false)
                .threadFactory(recording).build());
        CompletableFuture<Thread> actionThread = session.closeFuture().thenApply(cause -> Thread.currentThread());

        sendRaw(rawEnd(0), FrameHeader.goAway(2)); // the reader fails the session on this frame

        assertThat(actionThread.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isNotNull()
                .isNotSameAs(reader.get());
        assertThat(reader.get()).as("the reader thread came from the factory").isNotNull();
        assertThat(session.closeCause()).isInstanceOf(RemoteGoAwayException.class);
    }

    @Test
    void aBlockingCloseFutureActionDoesNotStallAnotherSessionsKeepAlive() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try {
            // One clock for both sessions: one thread runs both keepalives, as the shared timer does.
            ManualClock clock = new ManualClock();
            Session first = clientFacingRawEnd(fastKeepAlive(clock).build());
            Session second = clientFacingRawEnd(fastKeepAlive(clock).build());
            CompletableFuture<Thread> blocked = new CompletableFuture<>();
            first.closeFuture().thenRun(() -> {
                blocked.complete(Thread.currentThread());
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            // The keepalive timeout fails the first session, then the second, on the advancing
            // thread; were the first one's blocking action run there, the advance would never end.
            CompletableFuture<Thread> advancing = CompletableFuture.supplyAsync(() -> {
                clock.advance(Duration.ofMillis(300));
                return Thread.currentThread();
            }, r -> Thread.ofVirtual().start(r));
            Thread timerThread = advancing.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            Thread actionThread = blocked.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(first.closeCause()).isInstanceOf(KeepAliveTimeoutException.class);
            assertThat(actionThread).isNotSameAs(timerThread);

            assertThat(second.awaitClose(Duration.ZERO)).as("second session's keepalive fired").isTrue();
            assertThat(second.closeCause()).isInstanceOf(KeepAliveTimeoutException.class);
            assertThat(first.awaitClose(Duration.ZERO)).as("awaitClose ignores blocked actions").isTrue();
        } finally {
            release.countDown();
        }
    }

    @Test
    void aTransportWhoseCloseBlocksDoesNotStallAnotherSessionsKeepAlive() throws Exception {
        // Issue 13 defect 9: the forced close of a failed session's transport ran on the timer
        // thread every session in the JVM shares; a user transport whose close() blocks stalled
        // every keepalive and timeout. Real clock on purpose: the shared timer is the subject.
        CountDownLatch release = new CountDownLatch(1);
        List<String> closingThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
        PipeConn[] pipe = PipeConn.pair(64 * 1024);
        rawEnds.add(pipe[1]);
        java.nio.channels.ByteChannel stuckOnClose = new java.nio.channels.ByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                return pipe[0].read(dst);
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                return pipe[0].write(src);
            }

            @Override
            public boolean isOpen() {
                return pipe[0].isOpen();
            }

            @Override
            public void close() {
                closingThreads.add(Thread.currentThread().getName());
                try {
                    release.await(); // a close that never returns (until the test ends)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                pipe[0].close();
            }
        };
        try {
            Session stuck = Session.client(stuckOnClose, YamuxConfig.builder().keepAliveEnabled(false).build());
            sessions.add(stuck);
            stuck.close();
            // Closed twice: by the writer thread after its final flush, and by the forced close
            // 100 ms later (on the shared timer before the fix, where it then blocked).
            await().atMost(PATIENCE).until(() -> closingThreads.size() >= 2);
            assertThat(closingThreads).doesNotContain("yamux-timer");

            // On the real shared timer (SessionClock.SYSTEM): that timer is what a blocking close stalled.
            Session other = clientFacingRawEnd(YamuxConfig.builder().keepAliveInterval(Duration.ofMillis(50))
                    .connectionWriteTimeout(Duration.ofMillis(200)).build());
            assertThat(other.awaitClose(PATIENCE)).as("the other session's keepalive fired").isTrue();
            assertThat(other.closeCause()).isInstanceOf(KeepAliveTimeoutException.class);
        } finally {
            release.countDown();
        }
    }

    @Test
    void closeCauseKeepsThePeersGoAwayErrorAfterOurDrainTimeoutPasses() throws Exception {
        ManualClock clock = new ManualClock();
        Duration drain = Duration.ofMillis(100);
        Session session = clientFacingRawEnd(YamuxConfig.builder().keepAliveEnabled(false).clock(clock)
                .goAwayDrainTimeout(drain).build());
        session.openStream(); // an open stream keeps the drain going until its timeout
        session.goAway();

        sendRaw(rawEnd(0), FrameHeader.goAway(2));
        assertThat(session.closeFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(RemoteGoAwayException.class);
        assertThat(session.closeCause()).isInstanceOf(RemoteGoAwayException.class);

        clock.advance(drain); // the drain timeout passes (it runs here unless the failure cancelled it)
        assertThat(session.closeCause()).isInstanceOf(RemoteGoAwayException.class);
        session.close();
        assertThat(session.closeCause()).isInstanceOf(RemoteGoAwayException.class);
    }

    @Test
    void goAwayDrainTimeoutClosesASessionWhoseStreamsStayOpen() throws Exception {
        ManualClock clock = new ManualClock();
        Duration drain = Duration.ofMillis(100);
        Session session = clientFacingRawEnd(YamuxConfig.builder().keepAliveEnabled(false).clock(clock)
                .goAwayDrainTimeout(drain).build());
        Stream stream = session.openStream();
        session.goAway();
        clock.advance(drain.minusNanos(1));
        assertThat(session.isClosed()).as("draining: the open stream may still finish").isFalse();
        assertThat(stream.isOpen()).isTrue();
        clock.advance(Duration.ofNanos(1));
        assertThat(session.isClosed()).as("closed at the drain timeout").isTrue();
        assertThat(session.closeCause()).as("a clean close").isNull();
        assertThat(stream.isOpen()).isFalse();
    }

    @Test
    void cleanCloseAfterGoAwayStillReportsNoCause() throws Exception {
        Session session = clientFacingRawEnd(YamuxConfig.builder().keepAliveEnabled(false).build());
        session.goAway(); // no streams: closes at once, cleanly
        assertThat(session.awaitClose(PATIENCE)).isTrue();
        assertThat(session.closeCause()).isNull();
        assertThat(session.closeFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(SessionClosedException.class);
    }

    @Test
    void keepAliveTimeoutLeavesNoPingPending() throws Exception {
        ManualClock clock = new ManualClock();
        Session session = clientFacingRawEnd(fastKeepAlive(clock).build());
        clock.advance(Duration.ofMillis(300));
        assertThat(session.isClosed()).isTrue();
        assertThat(session.closeCause()).isInstanceOf(KeepAliveTimeoutException.class);
        assertThat(session.pings.pendingCount()).isZero();
    }

    @Test
    void unansweredRttProbesDoNotAccumulate() {
        // Keepalive off: the only pings are the probes; each may be replaced once it has gone
        // unanswered for a write timeout (20 ms).
        ManualClock clock = new ManualClock();
        Session session = clientFacingRawEnd(YamuxConfig.builder().keepAliveEnabled(false).clock(clock)
                .connectionWriteTimeout(Duration.ofMillis(20)).build());
        for (int i = 0; i < 3; i++) {
            session.pings.rttNanosForTuning(); // sends a probe: the first, or one replacing an expired one
            clock.advance(Duration.ofMillis(21));
        }
        await().atMost(PATIENCE).until(() -> session.counters.framesOut[FrameType.PING.ordinal()].sum() >= 3);
        assertThat(session.pings.pendingCount()).isEqualTo(1);
    }

    @Test
    void theAckCancelsTheOpenTimeout() throws Exception {
        try (SessionPair pair = SessionPair.open(SessionPair.Kind.PIPE)) {
            Stream opened = pair.client().openStream();
            assertThat(opened.openTimerArmed()).as("armed until the ACK").isTrue();
            Stream accepted = pair.server().acceptStream(PATIENCE); // sends the ACK
            accepted.write(ByteBuffer.wrap(new byte[] {7}));
            // The ACK went out before this byte, so the client has processed it once the byte is read.
            opened.setReadDeadline(java.time.Instant.now().plus(PATIENCE));
            assertThat(opened.inputStream().read()).isEqualTo(7);
            assertThat(opened.openTimerArmed()).isFalse();
        }
    }
}

package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Net;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A caller refused the read role asks for it ({@code handOffFor}) and then waits for its stream's
 * data. If its request is taken before it waits (the reader thread's hand-off, or a leader's
 * release, reads it and wakes a caller that is not waiting yet) and somebody else holds the role by
 * the time the caller looks at it (the reader thread took it back, or another caller took the free
 * role), the caller must not wait unasked: it would never lead, and when the holder left, nobody
 * would read until the reader thread's grace ran out. Here the caller is held just after its
 * request's wake-up of the reader thread until the reader thread has handed the role over and,
 * the caller not coming, taken it back; keepalive is off, so no frame comes to end the wait.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RefusedCallerRequestTakenEarlyTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @Test
    void aCallerWhoseRequestWasTakenBeforeItWaitedStillLeads() throws Exception {
        Net.Pipe pipe = Net.pipe();
        Thread[] caller = new Thread[1];
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Conn hooked = new DelegatingConn(pipe.first()) {
            @Override
            public void setReadDeadline(Instant deadline) throws IOException {
                super.setReadDeadline(deadline);
                // The caller's wake-up of the reader thread has landed; hold the caller there, once,
                // unless it already holds its stream's lock (then nothing can come between its
                // request and its wait, and holding it would hold the hand-off's wake-up too).
                if (Instant.EPOCH.equals(deadline) && Thread.currentThread() == caller[0] && held.getCount() > 0) {
                    heldOutsideTheLock = !callerHoldsItsStreamLock();
                    held.countDown();
                    try {
                        if (!heldOutsideTheLock) {
                            return;
                        }
                        if (!release.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                            throw new IOException("never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        YamuxConfig quiet = SessionPair.testConfig().keepAliveEnabled(false).build();
        try (SessionPair pair = new SessionPair(Session.client(hooked, quiet), Session.server(pipe.second(), quiet))) {
            Stream stream = pair.client().openStream();
            stream.write(ByteBuffer.wrap(new byte[] {1}));
            Stream serverSide = pair.server().acceptStream();
            streamUnderTest = stream;
            SessionReader reader = pair.client().reader();
            assertThat(reader.role().state()).isEqualTo(ReadRole.DEDICATED);

            CompletableFuture<Integer> read = new CompletableFuture<>();
            caller[0] = Thread.ofVirtual().unstarted(() -> {
                try {
                    read.complete(stream.read(ByteBuffer.allocate(16)));
                } catch (Throwable t) {
                    read.completeExceptionally(t);
                }
            });
            caller[0].start();
            assertThat(held.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            if (heldOutsideTheLock) {
                // The reader thread hands the role over, its wake-up finds nobody waiting, and after
                // the grace it takes the role back: the caller's request is gone.
                await().atMost(PATIENCE).until(() -> reader.missedHandOffs() > 0
                        && reader.role().state() == ReadRole.DEDICATED);
                release.countDown();
            }

            await().atMost(PATIENCE).until(() -> reader.leaderStream() == stream);
            long ledBefore = reader.ledFrames();
            serverSide.write(ByteBuffer.wrap(new byte[] {7}));
            assertThat(read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(reader.ledFrames()).isGreaterThan(ledBefore); // read by its own caller
        } finally {
            release.countDown();
        }
    }

    private volatile Stream streamUnderTest;
    /** Whether the caller's wake-up of the reader thread came before it held its stream's lock (so it was held there). */
    private volatile boolean heldOutsideTheLock;

    private boolean callerHoldsItsStreamLock() {
        Stream stream = streamUnderTest;
        return stream != null && stream.lockHeldByCurrentThread();
    }
}

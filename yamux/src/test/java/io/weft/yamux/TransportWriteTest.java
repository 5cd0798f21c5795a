package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport write path under stuck and slow connections: every writer is released when the
 * session closes or fails, and the write timeout measures progress, not the length of a write.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TransportWriteTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    /** A thread's outcome and when (System.nanoTime) the call returned, measured on that thread. */
    private record Outcome(Throwable thrown, long returnedAtNanos) {
    }

    /** Runs {@code call} on a new platform thread, so its stack and state can be inspected. */
    private static CompletableFuture<Outcome> startCall(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
            Thread[] thread) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        thread[0] = Thread.ofPlatform().daemon().start(() -> {
            Throwable thrown = catchThrowable(call);
            outcome.complete(new Outcome(thrown, System.nanoTime()));
        });
        return outcome;
    }

    /** Whether {@code thread} is parked, or inside a native write (a write(2) that does not return). */
    private static boolean isBlocked(Thread thread) {
        Thread.State state = thread.getState();
        if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED) {
            return true;
        }
        StackTraceElement[] stack = thread.getStackTrace();
        return stack.length > 0 && stack[0].isNativeMethod() && stack[0].getMethodName().startsWith("write");
    }

    /**
     * A session over a child process's stdin/stdout, as in a stdio tunnel, whose peer never reads:
     * {@code sleep} leaves its stdin pipe full, and closing our end of a pipe does not wake a
     * thread blocked in write(2) on it.
     */
    private static Process startNonReadingPeer() throws Exception {
        return new ProcessBuilder("sleep", "60").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static Outcome writeIntoAFullStdioPipeThenEnd(YamuxConfig config, boolean closeSession) throws Exception {
        Process peer = startNonReadingPeer();
        Session session = Session.client(peer.getInputStream(), peer.getOutputStream(), config);
        try {
            Stream stream = session.openStream();
            // The SYN is written before our write starts, so that write finds the transport idle.
            await().atMost(PATIENCE).until(() -> session.stats().framesOut() >= 1);
            Thread[] writer = new Thread[1];
            // 256 KiB (the whole initial window) into a 64 KiB pipe that nobody drains.
            CompletableFuture<Outcome> write = startCall(() -> stream.write(ByteBuffer.allocate(256 * 1024)), writer);
            await().atMost(PATIENCE).until(() -> isBlocked(writer[0]));
            assertThat(write).isNotDone();
            long start = System.nanoTime();
            if (closeSession) {
                session.close();
            }
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
        Outcome outcome = writeIntoAFullStdioPipeThenEnd(config, true);
        assertThat(outcome.thrown()).isInstanceOf(SessionClosedException.class);
        assertThat(Duration.ofNanos(outcome.returnedAtNanos())).isLessThan(Duration.ofMillis(100));
    }

    @Test
    void writeTimeoutOnAStdioPipeThePeerNeverReadsReleasesTheWriterWithTheTimeout() throws Exception {
        YamuxConfig config = SessionPair.testConfig().keepAliveEnabled(false)
                .connectionWriteTimeout(Duration.ofMillis(250)).build();
        Outcome outcome = writeIntoAFullStdioPipeThenEnd(config, false);
        assertThat(outcome.thrown()).isInstanceOf(WriteTimeoutException.class);
    }
}

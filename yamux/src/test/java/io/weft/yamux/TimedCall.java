package io.weft.yamux;

import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.concurrent.CompletableFuture;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * A blocking call run on its own platform thread, so a test can inspect that thread's state and
 * stack while it blocks, and learn when the call returned, measured on that thread (a slow test
 * thread does not count against the call). Test helper; any thread.
 */
final class TimedCall {

    /** What the call threw ({@code null} if it returned) and {@link System#nanoTime()} when it returned. */
    record Outcome(Throwable thrown, long returnedAtNanos) {
    }

    private TimedCall() {}

    /** Starts {@code call}; its thread is stored in {@code thread[0]}. */
    static CompletableFuture<Outcome> start(ThrowingCallable call, Thread[] thread) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        thread[0] = Thread.ofPlatform().daemon().start(() -> {
            Throwable thrown = catchThrowable(call);
            outcome.complete(new Outcome(thrown, System.nanoTime()));
        });
        return outcome;
    }
}

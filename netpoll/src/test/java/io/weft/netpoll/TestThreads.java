package io.weft.netpoll;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Starts test calls on platform or virtual threads and keeps track of them, so a test can wait
 * until a call is really blocked ({@link #isBlocked}) and the suite can join every thread at the
 * end. Used by the contract suites; any thread.
 */
public final class TestThreads {

    /** Which kind of thread a blocking call runs on. */
    public enum Kind {
        /** A platform daemon thread. */
        PLATFORM,
        /** A virtual thread. */
        VIRTUAL;

        Thread.Builder builder() {
            return this == PLATFORM ? Thread.ofPlatform().daemon(true) : Thread.ofVirtual();
        }
    }

    /** A call running on its own thread. */
    public record Call<T>(Thread thread, CompletableFuture<T> result) {

        /** Waits until the call's thread is parked (blocked in the call), failing after 10 s. */
        public Call<T> awaitBlocked() {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2))
                    .until(() -> isBlocked(thread) || result.isDone());
            return this;
        }
    }

    /**
     * Whether {@code thread} is blocked: parked ({@code WAITING}, {@code TIMED_WAITING}), or a
     * platform thread waiting for its socket inside the kernel through a {@code KernelWaiter}
     * (which is {@code RUNNABLE}, as in any native call; it is published to close, deadlines and
     * interrupt before it enters the method, so being in it counts).
     */
    public static boolean isBlocked(Thread thread) {
        Thread.State state = thread.getState();
        if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
            return true;
        }
        if (state != Thread.State.RUNNABLE || thread.isVirtual()) {
            return false;
        }
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getMethodName().equals("blockUntilReadable")) {
                return true;
            }
        }
        return false;
    }

    private final List<Thread> started = new CopyOnWriteArrayList<>();

    /** Runs {@code body} on a new thread of {@code kind}. */
    public <T> Call<T> start(Kind kind, Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = kind.builder().name("contract-call").unstarted(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        started.add(thread);
        thread.start();
        return new Call<>(thread, result);
    }

    /** Interrupts and joins every thread started, waiting up to {@code patience} in all. */
    public void joinAll(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        for (Thread thread : started) {
            long leftMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            thread.join(leftMillis);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(100);
            }
        }
        started.clear();
    }
}

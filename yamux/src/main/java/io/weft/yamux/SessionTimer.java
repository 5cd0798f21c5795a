package io.weft.yamux;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread shared by every session in the JVM, for keepalive, write-stall checks
 * and stream open/close timeouts. Tasks only decide and enqueue (never block, never run user
 * code), so one daemon thread serves any number of sessions. Cancelled tasks are removed at
 * once. Thread-safe.
 */
final class SessionTimer {
    private static final ScheduledThreadPoolExecutor EXECUTOR = create();

    private SessionTimer() {
    }

    private static ScheduledThreadPoolExecutor create() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "yamux-timer");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /** Runs {@code task} once after {@code delayNanos}. Exceptions are logged, never thrown. */
    static Future<?> schedule(Runnable task, long delayNanos) {
        return EXECUTOR.schedule(guarded(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    /** Runs {@code task} every {@code periodNanos}. Exceptions are logged, never thrown. */
    static Future<?> every(Runnable task, long periodNanos) {
        return EXECUTOR.scheduleWithFixedDelay(guarded(task), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                System.getLogger("io.weft.yamux").log(System.Logger.Level.ERROR, "yamux timer task failed", e);
            }
        };
    }
}

package io.weft.yamux;

/**
 * Where a session gets the time and schedules its timeouts: keepalive and the write-stall
 * watchdog, stream open and close timeouts, the GoAway drain. Injected through
 * {@code YamuxConfig.Builder#clock} (package-private) so tests drive time by hand and never wait
 * on the wall clock; the default, {@link #SYSTEM}, is {@link System#nanoTime()} and the one
 * {@link SessionTimer} thread shared by every session in the JVM.
 *
 * <p>Tasks must only decide and enqueue: they run on a thread shared by every session (or, with
 * a test clock, on the thread advancing it), so a task that blocks stalls every other session's
 * timeouts. Work that may block (closing a user transport) is handed to a thread of its own.
 * Implementations are thread-safe.
 *
 * <p>Application deadlines ({@link Stream#setReadDeadline}) are not driven by this clock: a
 * blocked call waits on a condition with the real time left.
 */
interface SessionClock {
    /** The system clock and the shared timer thread. */
    SessionClock SYSTEM = new SessionClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Timeout schedule(Runnable task, long delayNanos) {
            java.util.concurrent.Future<?> future = SessionTimer.schedule(task, delayNanos);
            return () -> future.cancel(false);
        }

        @Override
        public Timeout every(Runnable task, long periodNanos) {
            java.util.concurrent.Future<?> future = SessionTimer.every(task, periodNanos);
            return () -> future.cancel(false);
        }
    };

    /** A scheduled task that may still be cancelled. */
    @FunctionalInterface
    interface Timeout {
        /** Cancels the task if it has not started; harmless to call twice or after it ran. */
        void cancel();
    }

    /** Monotonic time in nanoseconds, comparable only with other values of this clock. */
    long nanoTime();

    /** Runs {@code task} once after {@code delayNanos} (at once when ≤ 0). Exceptions are logged. */
    Timeout schedule(Runnable task, long delayNanos);

    /** Runs {@code task} every {@code periodNanos}, first after one period. Exceptions are logged. */
    Timeout every(Runnable task, long periodNanos);
}

package io.weft.yamux;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The two timeouts of one stream: the open timeout of an outbound stream, armed by
 * {@link Session#openStream} and cancelled by the peer's ACK, and the close timeout, armed by
 * {@link Stream#close()}. Each has a slot of its own: a close before the ACK must not replace the
 * open timeout, or a peer that never ACKs would hold the un-ACKed slot for the close timeout
 * instead. Both are cancelled once the stream is finished or its session ends.
 *
 * <p>Threads: armed by application threads, cancelled by them, by the session reader or by the
 * thread failing the session; the timeouts run on the session's {@link SessionClock} (the shared timer thread). Takes no lock
 * (each slot is swapped atomically and cancelling twice is harmless), so it may be used under the
 * session lock or the stream lock.
 */
final class StreamTimers {
    private final AtomicReference<SessionClock.Timeout> openTimeout = new AtomicReference<>();
    private final AtomicReference<SessionClock.Timeout> closeTimeout = new AtomicReference<>();
    private final SessionClock clock;

    StreamTimers(SessionClock clock) {
        this.clock = clock;
    }

    /** Schedules {@code onTimeout} as the open timeout; none for {@link Duration#ZERO}. */
    void armOpen(Runnable onTimeout, Duration timeout) {
        if (!timeout.isZero()) {
            openTimeout.set(clock.schedule(onTimeout, timeout.toNanos()));
        }
    }

    /** Schedules {@code onTimeout} as the close timeout, cancelling any earlier one; none for {@link Duration#ZERO}. */
    void armClose(Runnable onTimeout, Duration timeout) {
        if (!timeout.isZero()) {
            cancel(closeTimeout.getAndSet(clock.schedule(onTimeout, timeout.toNanos())));
        }
    }

    /** Whether the open timeout is still armed. */
    boolean openArmed() {
        return openTimeout.get() != null;
    }

    /** Whether either timeout is armed. */
    boolean anyArmed() {
        return openTimeout.get() != null || closeTimeout.get() != null;
    }

    /** The peer ACKed: the open timeout has nothing left to guard. */
    void cancelOpen() {
        cancel(openTimeout.getAndSet(null));
    }

    /** The stream or its session is over. */
    void cancelAll() {
        cancel(closeTimeout.getAndSet(null));
        cancelOpen();
    }

    private static void cancel(SessionClock.Timeout timeout) {
        if (timeout != null) {
            timeout.cancel();
        }
    }
}

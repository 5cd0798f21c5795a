package io.weft.yamux;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

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
 * session lock or the stream lock. The slots are plain volatile fields swapped through
 * {@link VarHandle}s rather than two {@code AtomicReference}s: every stream has one of these, so
 * its size counts (32 bytes less per stream).
 */
final class StreamTimers {
    private static final VarHandle OPEN_TIMEOUT;
    private static final VarHandle CLOSE_TIMEOUT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            OPEN_TIMEOUT = lookup.findVarHandle(StreamTimers.class, "openTimeout", SessionClock.Timeout.class);
            CLOSE_TIMEOUT = lookup.findVarHandle(StreamTimers.class, "closeTimeout", SessionClock.Timeout.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

        private volatile SessionClock.Timeout openTimeout;
        private volatile SessionClock.Timeout closeTimeout;
    private final SessionClock clock;

    StreamTimers(SessionClock clock) {
        this.clock = clock;
    }

    /** Schedules {@code onTimeout} as the open timeout; none for {@link Duration#ZERO}. */
    void armOpen(Runnable onTimeout, Duration timeout) {
        if (!timeout.isZero()) {
            openTimeout = clock.schedule(onTimeout, timeout.toNanos());
        }
    }

    /** Schedules {@code onTimeout} as the close timeout, cancelling any earlier one; none for {@link Duration#ZERO}. */
    void armClose(Runnable onTimeout, Duration timeout) {
        if (!timeout.isZero()) {
            cancel((SessionClock.Timeout) CLOSE_TIMEOUT.getAndSet(this, clock.schedule(onTimeout, timeout.toNanos())));
        }
    }

    /** Whether the open timeout is still armed. */
    boolean openArmed() {
        return openTimeout != null;
    }

    /** Whether either timeout is armed. */
    boolean anyArmed() {
        return openTimeout != null || closeTimeout != null;
    }

    /** The peer ACKed: the open timeout has nothing left to guard. */
    void cancelOpen() {
        cancel((SessionClock.Timeout) OPEN_TIMEOUT.getAndSet(this, null));
    }

    /** The stream or its session is over. */
    void cancelAll() {
        cancel((SessionClock.Timeout) CLOSE_TIMEOUT.getAndSet(this, null));
        cancelOpen();
    }

    private static void cancel(SessionClock.Timeout timeout) {
        if (timeout != null) {
            timeout.cancel();
        }
    }
}

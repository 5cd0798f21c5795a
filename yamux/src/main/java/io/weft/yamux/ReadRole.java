package io.weft.yamux;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Who reads the session's connection: the session's own reader thread ({@link #DEDICATED}), a
 * stream's caller that reads frames itself while it waits for its data (a platform thread, or a
 * virtual thread while the session has at most one other stream)
 * ({@link #LEADER}; see {@link SessionReader#lead}; a leader that leaves inside a frame returns it
 * straight to the reader thread), nobody for a moment ({@link #FREE}), or nobody
 * ever again ({@link #ENDED}). Exactly one thread holds the role while it is {@code DEDICATED} or
 * {@code LEADER}, and only that thread touches the reader's buffer; every change is a CAS on one
 * volatile value, so whatever the last holder wrote is visible to the next.
 *
 * <p>Why: a platform thread woken by the session's reader costs two or more OS hand-offs per
 * message (the poller, the reader's carrier, the caller); a platform thread that reads the
 * connection itself sleeps in the kernel and is woken by the data, once. A virtual thread woken
 * by the reader costs the poller's wake-up of the reader, then the reader's of the caller; one
 * that reads itself is woken by the poller. The caller runs only
 * session reader code there, so "the reader never runs user code" still holds.
 *
 * <p>The transitions ({@link #next}) are a pure function; the dedicated reader's wait for the
 * role to come back is decided by {@link #reclaimWaitNanos}, also pure.
 */
final class ReadRole {
    /** The session's reader thread reads. */
    static final int DEDICATED = 0;
    /** Nobody reads; the first caller to want it, or the reader thread after {@link #GRACE_NANOS}, takes it. */
    static final int FREE = 1;
    /** A stream's caller reads. */
    static final int LEADER = 2;
    /** Reading is over (end of connection or session failure); terminal. */
    static final int ENDED = 3;

    /** What happens to the role. */
    enum Event {
        /** The reader thread gives the role to a caller that waits for the frame it just delivered. */
        HAND_OFF,
        /** A caller takes the free role. */
        LEAD,
        /** The leader has read its frame, or left between frames. */
        RELEASE,
        /** The leader left inside a frame: the reader thread reads on at once, from where it stopped. */
        RETURN,
        /** The reader thread takes back a role nobody has wanted for {@link #GRACE_NANOS}. */
        RECLAIM,
        /** The holder saw the end of the connection or failed. */
        END
    }

    /**
     * How long the role stays free after a caller released it before the reader thread takes it
     * back: a caller in a request/response loop comes back well within it, a caller that went
     * away leaves other streams' frames unread for at most this long (plus one back-off step).
     */
    static final long GRACE_NANOS = 1_000_000L;
    /**
     * The longest grace after hand-offs in a row that no caller took ({@link #graceNanos}): on a
     * loaded machine the caller that asked may wake later than {@link #GRACE_NANOS}, every time.
     */
    static final long MAX_GRACE_NANOS = 8_000_000L;
    /** Misses in a row after which the grace is {@link #MAX_GRACE_NANOS} (1 ms doubled three times). */
    static final int MAX_MISSED_HAND_OFFS = 3;
    /** The longest the reader thread sleeps between looks while a caller leads. */
    static final long MAX_BACKOFF_NANOS = 8_000_000L;
    /**
     * {@link #reclaimWaitNanos}'s answer when one caller has held the role through a whole
     * {@link #MAX_BACKOFF_NANOS} step (blocked for data on a quiet connection): the reader thread
     * sleeps until that caller leaves, which wakes it, instead of looking every few milliseconds
     * (thousands of idle sessions would keep the carriers busy doing nothing).
     */
    static final long UNTIL_RELEASED = Long.MAX_VALUE;
    /** Not a state: {@link #next} refuses the event in that state. */
    static final int REFUSED = -1;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ReadRole.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile int state = DEDICATED;
    /** When the role last became free ({@link System#nanoTime()}); written before the CAS that frees it. */
    private volatile long freedAtNanos;

    /** The state after {@code event} in {@code state}, or {@link #REFUSED}. */
    static int next(int state, Event event) {
        return switch (event) {
            case HAND_OFF -> state == DEDICATED ? FREE : REFUSED;
            case LEAD -> state == FREE ? LEADER : REFUSED;
            case RELEASE -> state == LEADER ? FREE : REFUSED;
            case RETURN -> state == LEADER ? DEDICATED : REFUSED;
            case RECLAIM -> state == FREE ? DEDICATED : REFUSED;
            case END -> state == ENDED ? REFUSED : ENDED;
        };
    }

    /**
     * The grace of a hand-off after {@code missedHandOffs} hand-offs in a row that the caller
     * that asked for the role did not take before the reader thread took it back: {@link
     * #GRACE_NANOS}, doubled per miss, at most {@link #MAX_GRACE_NANOS}. A caller that asks again
     * and again but is woken late each time (a loaded machine) would otherwise never lead.
     */
    static long graceNanos(int missedHandOffs) {
        return missedHandOffs >= MAX_MISSED_HAND_OFFS ? MAX_GRACE_NANOS : GRACE_NANOS << Math.max(0, missedHandOffs);
    }

    /** The count of hand-offs in a row no caller took, after one that was {@code taken} or not; at most {@link #MAX_MISSED_HAND_OFFS}. */
    static int missedHandOffsAfter(int missedHandOffs, boolean taken) {
        return taken ? 0 : Math.min(missedHandOffs + 1, MAX_MISSED_HAND_OFFS);
    }

    /**
     * How long the reader thread, waiting to take the role back, sleeps before it looks again;
     * 0 = take it now ({@code state} is {@link #FREE} and has been for {@code graceNanos}), -1 =
     * stop ({@link #ENDED}). While a caller leads the sleeps double from {@link #GRACE_NANOS} up to
     * {@link #MAX_BACKOFF_NANOS}; {@code backoffNanos} is the last one; once one lead has lasted a
     * whole longest sleep ({@code sameLeadSinceLastLook}: the last look saw it too, and nobody
     * released the role since), {@link #UNTIL_RELEASED}.
     */
    static long reclaimWaitNanos(int state, long freeForNanos, long backoffNanos, long graceNanos,
            boolean sameLeadSinceLastLook) {
        return switch (state) {
            case ENDED -> -1;
            case FREE -> freeForNanos >= graceNanos ? 0 : graceNanos - freeForNanos;
            case LEADER -> backoffNanos >= MAX_BACKOFF_NANOS && sameLeadSinceLastLook ? UNTIL_RELEASED
                    : Math.min(Math.max(backoffNanos * 2, GRACE_NANOS), MAX_BACKOFF_NANOS);
            default -> throw new IllegalStateException("the reader thread holds the role");
        };
    }

    int state() {
        return (int) STATE.getVolatile(this);
    }

    long freedAtNanos() {
        return freedAtNanos;
    }

    /** Applies {@code event} if the current state allows it; returns whether it did. */
    boolean apply(Event event, long nowNanos) {
        while (true) {
            int current = state();
            int next = next(current, event);
            if (next == REFUSED) {
                return false;
            }
            if (next == FREE) {
                freedAtNanos = nowNanos;
            }
            if (STATE.compareAndSet(this, current, next)) {
                return true;
            }
        }
    }

    @Override
    public String toString() {
        return switch (state()) {
            case DEDICATED -> "DEDICATED";
            case FREE -> "FREE";
            case LEADER -> "LEADER";
            default -> "ENDED";
        };
    }
}

package io.weft.yamux;

import io.weft.yamux.frame.FrameHeader;
import java.util.function.LongSupplier;

/**
 * A stream's receive window: how much credit the peer holds, how much arrived and is not yet
 * consumed, and when to grant more. Credit is returned as the application <em>consumes</em>
 * (reads, or data discarded after close/reset), once the returnable amount reaches half the
 * window (hashicorp's rule), so a slow reader really pushes back.
 *
 * <p>Auto-tuning (optional): when an update falls due less than two round trips after the
 * previous one, the reader drains the window faster than the peer can refill it, so the window
 * doubles, up to {@code maxWindowBytes}, with the growth taken from the session-wide
 * {@link AutoTuneBudget}. The round trip is the session's <em>minimum</em> RTT, so the queue a
 * bulk stream builds in front of the RTT probes cannot make its own window grow. And growth must
 * pay: when the drain rate in the update interval after a doubling is not at least
 * {@link #GROWTH_MUST_PAY} times the rate before it, the window was not what limited the stream
 * (the link or the CPU is), so the growth is undone at once, on that very update, and the window
 * never grows again. A larger window would only be a longer queue in front of every other stream
 * of the session: on loopback a 16 MiB window is about 10 ms of queue. The growth goes back to
 * the budget then, or on {@link #release()}.
 *
 * <p>Not thread-safe: the owning {@link Stream}'s lock guards it. Time is passed in, so tests
 * drive it with a fake clock.
 */
final class RecvWindow {
    /** How much faster the drain must be after a doubling for the growth to be kept. */
    static final double GROWTH_MUST_PAY = 1.25;

    /** The auto-tuning ceiling: {@code maxWindowBytes}, lowered to the window once growth did not pay. */
    private long ceilingBytes;
    private final AutoTuneBudget budget;
    private long windowBytes;
    private long creditBytes = FrameHeader.INITIAL_STREAM_WINDOW;
    private long bufferedBytes;
    private long grownBytes;
    private long lastUpdateNanos;
    /** The growth of the last update, while its payoff is not yet judged; 0 otherwise. */
    private long unjudgedGrowthBytes;
    /** The drain rate (bytes per nanosecond) in the interval before {@link #unjudgedGrowthBytes}. */
    private double rateBeforeGrowth;

    /**
     * @param windowBytes the window to grant at open/accept (≥ 256 KiB)
     * @param maxWindowBytes the auto-tuning ceiling
     * @param budget where growth comes from, or {@code null} to disable auto-tuning
     */
    RecvWindow(long windowBytes, long maxWindowBytes, AutoTuneBudget budget, long nowNanos) {
        this.windowBytes = windowBytes;
        this.ceilingBytes = maxWindowBytes;
        this.budget = budget;
        this.lastUpdateNanos = nowNanos;
    }

    /** The delta to send with our SYN or ACK (the window beyond 256 KiB; may be 0). Call once. */
    long initialUpdate(long nowNanos) {
        long delta = Math.max(0, windowBytes - bufferedBytes - creditBytes);
        creditBytes += delta;
        lastUpdateNanos = nowNanos;
        return delta;
    }

    /**
     * Accounts for {@code bytes} of arriving data.
     *
     * @return {@code false} if the data exceeds the credit we granted (a protocol error); nothing changes then
     */
    boolean onData(long bytes) {
        if (bytes > creditBytes) {
            return false;
        }
        creditBytes -= bytes;
        bufferedBytes += bytes;
        return true;
    }

    /**
     * Accounts for {@code bytes} consumed by the application or discarded.
     *
     * @param rttNanos the session's minimum RTT, 0 when unknown (no auto-tuning then); asked
     *     only when an update is due and the window may still grow
     * @return the window update delta to send now, or 0 when none is due
     */
    long onConsumed(long bytes, long nowNanos, LongSupplier rttNanos) {
        bufferedBytes -= bytes;
        long delta = windowBytes - bufferedBytes - creditBytes;
        if (delta < windowBytes / 2) {
            return 0;
        }
        long intervalNanos = Math.max(1, nowNanos - lastUpdateNanos);
        double rate = (double) delta / intervalNanos;
        if (unjudgedGrowthBytes > 0) {
            if (rate < GROWTH_MUST_PAY * rateBeforeGrowth) { // the window was not the limit: undo
                windowBytes -= unjudgedGrowthBytes;
                grownBytes -= unjudgedGrowthBytes;
                delta -= unjudgedGrowthBytes; // ≥ 0: delta ≥ old window / 2 ≥ the growth
                budget.give(unjudgedGrowthBytes);
                ceilingBytes = windowBytes;
            }
            unjudgedGrowthBytes = 0;
        } else {
            long rtt = budget != null && windowBytes < ceilingBytes ? rttNanos.getAsLong() : 0;
            if (rtt > 0 && intervalNanos < 2 * rtt) {
                long growth = budget.take(Math.min(windowBytes, ceilingBytes - windowBytes));
                windowBytes += growth;
                grownBytes += growth;
                delta += growth;
                unjudgedGrowthBytes = growth;
                rateBeforeGrowth = rate;
            }
        }
        lastUpdateNanos = nowNanos;
        creditBytes += delta;
        return delta;
    }

    /** Accounts for {@code bytes} of arriving data dropped unread once the peer has sent FIN (no credit is returned). */
    void onDropped(long bytes) {
        bufferedBytes -= bytes;
    }

    /** Returns the auto-tuned growth to the budget; call once the stream is finished and nothing unread is buffered. */
    void release() {
        if (budget != null && grownBytes > 0) {
            budget.give(grownBytes);
            grownBytes = 0;
        }
    }

    /** The current window target in bytes (initial window plus auto-tuned growth). */
    long windowBytes() {
        return windowBytes;
    }

    /** Credit the peer still holds, in bytes. */
    long creditBytes() {
        return creditBytes;
    }

    /** Bytes received and not yet consumed. */
    long bufferedBytes() {
        return bufferedBytes;
    }
}

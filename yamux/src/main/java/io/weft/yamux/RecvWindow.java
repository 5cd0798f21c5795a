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
 * {@link AutoTuneBudget}. It never shrinks; the growth goes back to the budget on {@link #release()}.
 *
 * <p>Not thread-safe: the owning {@link Stream}'s lock guards it. Time is passed in, so tests
 * drive it with a fake clock.
 */
final class RecvWindow {
    private final long maxWindowBytes;
    private final AutoTuneBudget budget;
    private long windowBytes;
    private long creditBytes = FrameHeader.INITIAL_STREAM_WINDOW;
    private long bufferedBytes;
    private long grownBytes;
    private long lastUpdateNanos;

    /**
     * @param windowBytes the window to grant at open/accept (≥ 256 KiB)
     * @param maxWindowBytes the auto-tuning ceiling
     * @param budget where growth comes from, or {@code null} to disable auto-tuning
     */
    RecvWindow(long windowBytes, long maxWindowBytes, AutoTuneBudget budget, long nowNanos) {
        this.windowBytes = windowBytes;
        this.maxWindowBytes = maxWindowBytes;
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
     * @param rttNanos the session's smoothed RTT, 0 when unknown (no auto-tuning then); asked
     *     only when an update is due and auto-tuning is on
     * @return the window update delta to send now, or 0 when none is due
     */
    long onConsumed(long bytes, long nowNanos, LongSupplier rttNanos) {
        bufferedBytes -= bytes;
        long delta = windowBytes - bufferedBytes - creditBytes;
        if (delta < windowBytes / 2) {
            return 0;
        }
        long rtt = budget != null && windowBytes < maxWindowBytes ? rttNanos.getAsLong() : 0;
        if (rtt > 0 && nowNanos - lastUpdateNanos < 2 * rtt) {
            long growth = budget.take(Math.min(windowBytes, maxWindowBytes - windowBytes));
            windowBytes += growth;
            grownBytes += growth;
            delta += growth;
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

package io.weft.yamux;

import io.weft.yamux.frame.FrameHeader;
import java.util.function.LongSupplier;

/**
 * A stream's receive window: how much credit the peer holds, how much arrived and is not yet
 * consumed, and when to grant more. Credit is returned as the application <em>consumes</em>
 * (reads, or data discarded after close/reset), once the returnable amount reaches half the
 * window (hashicorp's rule), so a slow reader really pushes back.
 *
 * <p>Auto-tuning (optional): the drain rate is measured over spans of {@link #SPAN_UPDATES}
 * updates. When a span's updates fell due less than two round trips apart on average, the reader
 * drains the window faster than the peer can refill it, so the window doubles, up to
 * {@code maxWindowBytes}, with the growth taken from the session-wide {@link AutoTuneBudget}. The
 * round trip is the path's <em>minimum</em> RTT: the kernel's ({@link
 * io.weft.netpoll.TcpConn#minRtt}, from TCP acknowledgements) where the session runs over netpoll
 * TCP on Linux, else the smallest of the session's pings. A ping's reply waits behind every byte
 * already queued towards us, so under bulk traffic even the smallest is mostly queue (0.6–1.2 ms
 * on loopback beside a bulk stream, where the kernel measured 2–6 µs), and windows sized by
 * it grew into queue in front of the session's other streams. And growth must pay: when the drain rate over
 * the span after a doubling is not at least {@link #GROWTH_MUST_PAY} times the rate over the span
 * before it, the window was not what limited the stream (the link or the CPU is), so the growth
 * is undone at once, on the update that ends that span, and the window never grows again (a
 * span drained at less than half the rate before the doubling is no verdict: someone paused, and
 * the next span judges; nor is a growth the budget cut short a verdict on the ceiling). A
 * larger window would only be a longer queue in front of every other stream of the session: on
 * loopback a 16 MiB window is about 10 ms of queue. The growth goes back to the budget then, or
 * on {@link #release()}. Spans, not single updates: two consecutive update intervals differ by
 * far more than 1.25× from scheduling noise alone, so judged one interval at a time, growth that
 * did not pay was kept about every other time and a loopback window crept up, a queue that tripled
 * the tail latency of a small stream beside the bulk one (docs/benchmarks.md).
 *
 * <p>Not thread-safe: the owning {@link Stream}'s lock guards it. Time is passed in, so tests
 * drive it with a fake clock.
 */
final class RecvWindow {
    /** How much faster the drain must be after a doubling for the growth to be kept. */
    static final double GROWTH_MUST_PAY = 1.25;
    /** Window updates per rate measurement. */
    static final int SPAN_UPDATES = 4;

    /** The auto-tuning ceiling: {@code maxWindowBytes}, lowered to the window once growth did not pay. */
    private long ceilingBytes;
    private final AutoTuneBudget budget;
    private long windowBytes;
    private long creditBytes = FrameHeader.INITIAL_STREAM_WINDOW;
    private long bufferedBytes;
    private long grownBytes;
    /** The growth of the last update, while its payoff is not yet judged; 0 otherwise. */
    private long unjudgedGrowthBytes;
    /** The drain rate (bytes per nanosecond) over the span before {@link #unjudgedGrowthBytes}. */
    private double rateBeforeGrowth;
    /** The span being measured: when it started, the credit returned and updates sent since. */
    private long spanStartNanos;
    private long spanBytes;
    private int spanUpdates;

    /**
     * @param windowBytes the window to grant at open/accept (≥ 256 KiB)
     * @param maxWindowBytes the auto-tuning ceiling
     * @param budget where growth comes from, or {@code null} to disable auto-tuning
     */
    RecvWindow(long windowBytes, long maxWindowBytes, AutoTuneBudget budget, long nowNanos) {
        this.windowBytes = windowBytes;
        this.ceilingBytes = maxWindowBytes;
        this.budget = budget;
        this.spanStartNanos = nowNanos;
    }

    /** The delta to send with our SYN or ACK (the window beyond 256 KiB; may be 0). Call once. */
    long initialUpdate(long nowNanos) {
        long delta = Math.max(0, windowBytes - bufferedBytes - creditBytes);
        creditBytes += delta;
        spanStartNanos = nowNanos;
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
        spanBytes += delta;
        if (budget != null && ++spanUpdates == SPAN_UPDATES) {
            delta = endSpan(delta, nowNanos, rttNanos);
        }
        creditBytes += delta;
        return delta;
    }

    /**
     * The update that ends a span judges the growth of the previous one, undoing it if it did not
     * pay, and may grow the window; returns {@code delta} adjusted by what it changed.
     */
    private long endSpan(long delta, long nowNanos, LongSupplier rttNanos) {
        long spanNanos = Math.max(1, nowNanos - spanStartNanos);
        double rate = (double) spanBytes / spanNanos;
        spanStartNanos = nowNanos;
        spanBytes = 0;
        spanUpdates = 0;
        if (unjudgedGrowthBytes > 0) {
            if (rate < rateBeforeGrowth / 2) {
                // Slower than before the growth, which a larger window cannot cause: the reader or
                // the peer paused in this span, so it says nothing about the window. Judge the next.
                return delta;
            }
            long growth = unjudgedGrowthBytes;
            unjudgedGrowthBytes = 0;
            if (rate < GROWTH_MUST_PAY * rateBeforeGrowth) { // the window was not the limit: undo
                long before = windowBytes - growth;
                // A growth the budget cut short was too small to pay: no verdict on the window.
                boolean whole = growth == Math.min(before, ceilingBytes - before);
                windowBytes = before;
                grownBytes -= growth;
                budget.give(growth);
                if (whole) {
                    ceilingBytes = windowBytes;
                }
                return delta - growth; // ≥ 0: delta ≥ the grown window / 2 ≥ the growth
            }
            // It paid: this span, at the grown window, is the base the next doubling is judged by.
        }
        long rtt = windowBytes < ceilingBytes ? rttNanos.getAsLong() : 0;
        if (rtt > 0 && spanNanos < 2 * rtt * SPAN_UPDATES) {
            long growth = budget.take(Math.min(windowBytes, ceilingBytes - windowBytes));
            windowBytes += growth;
            grownBytes += growth;
            unjudgedGrowthBytes = growth;
            rateBeforeGrowth = rate;
            return delta + growth;
        }
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

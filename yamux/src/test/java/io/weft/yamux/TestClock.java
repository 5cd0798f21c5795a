package io.weft.yamux;

import java.time.Duration;

/**
 * A public handle on a {@link ManualClock} for tests outside this package (the scripted-peer
 * tests in {@code io.weft.yamux.protocol}), which cannot reach the package-private
 * {@code YamuxConfig.Builder#clock}. Time moves only when the test calls {@link #advance}; due
 * session timeouts (keepalive, stream open and close, GoAway drain, write stall) then run on the
 * advancing thread before it returns. Test sources only. Thread-safe.
 */
public final class TestClock {
    private final ManualClock clock = new ManualClock();

    /** Makes every session built from {@code builder} take its time and timeouts from this clock. */
    public YamuxConfig.Builder install(YamuxConfig.Builder builder) {
        return builder.clock(clock);
    }

    /** Moves time forward by {@code step}, running every timeout that falls due, in order, on this thread. */
    public void advance(Duration step) {
        clock.advance(step);
    }
}

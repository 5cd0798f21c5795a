package io.weft.yamux;

/**
 * How much receive credit a stream lets the peer hold once the session's round trip is known:
 * about {@code bdpMultiple} bandwidth-delay products (the stream's drain rate times the session's
 * minimum RTT), never less than {@code floorBytes}, never more than the stream's window.
 *
 * <p>Why: every byte of credit the peer holds may be a byte queued in the connection in front of
 * the other streams' frames. On a fast link (loopback: a minimum RTT of tens of µs) a 256 KiB
 * window is far more than the link needs to stay full, and all of it is queue a 64-byte reply of
 * another stream waits behind. A receiver may always grant less than its window, so this is
 * wire-compatible; the protocol's initial 256 KiB is granted at open, the cap applies to what is
 * granted after it.
 *
 * <p>The drain rate is a moving average of the bytes consumed per interval between window
 * updates. A stream that drains faster gets a larger cap ({@code bdpMultiple} × BDP leaves room
 * to grow), so the cap follows the link rather than pinning the stream.
 *
 * <p>Not thread-safe: the owning stream's lock guards it (through {@link RecvWindow}). Time is
 * passed in.
 */
final class CreditCap {
    /** Default smallest cap: 64 KiB. */
    static final long DEFAULT_FLOOR_BYTES = 64 * 1024;
    /** Default multiple of the bandwidth-delay product the cap allows. */
    static final int DEFAULT_BDP_MULTIPLE = 4;
    /** Weight of a new drain-rate sample in the moving average. */
    static final double RATE_WEIGHT = 0.25;

    /** TEMPORARY (A/B): -Dweft.yamux.creditCap=off|shared|always, ...K, ...Floor. */
    static final java.util.function.Supplier<CreditCap> EXPERIMENT = experiment();

    private static java.util.function.Supplier<CreditCap> experiment() {
        String mode = System.getProperty("weft.yamux.creditCap", "off");
        int k = Integer.getInteger("weft.yamux.creditCapK", DEFAULT_BDP_MULTIPLE);
        long floor = Long.getLong("weft.yamux.creditCapFloor", DEFAULT_FLOOR_BYTES);
        return switch (mode) {
            case "shared" -> () -> new CreditCap(floor, k, true);
            case "always" -> () -> new CreditCap(floor, k, false);
            default -> () -> null;
        };
    }

    static final boolean FIXED = Boolean.getBoolean("weft.yamux.creditCapFixed");
    private final long floorBytes;
    private final int bdpMultiple;
    private final boolean onlyWhenShared;
    /** Moving average of the drain rate in bytes per nanosecond; 0 before the first sample. */
    private double rateBytesPerNano;

    /**
     * @param floorBytes the smallest cap, bytes (&gt; 0)
     * @param bdpMultiple how many bandwidth-delay products the peer may hold (≥ 1)
     * @param onlyWhenShared cap only while another stream of the session is live
     */
    CreditCap(long floorBytes, int bdpMultiple, boolean onlyWhenShared) {
        if (floorBytes <= 0 || bdpMultiple < 1) {
            throw new IllegalArgumentException("floorBytes " + floorBytes + ", bdpMultiple " + bdpMultiple);
        }
        this.floorBytes = floorBytes;
        this.bdpMultiple = bdpMultiple;
        this.onlyWhenShared = onlyWhenShared;
    }

    /** Records that {@code bytes} were consumed over {@code intervalNanos} (one window-update interval). */
    void onDrained(long bytes, long intervalNanos) {
        double sample = (double) bytes / Math.max(1, intervalNanos);
        rateBytesPerNano = rateBytesPerNano == 0 ? sample : rateBytesPerNano + RATE_WEIGHT * (sample - rateBytesPerNano);
    }

    /**
     * The credit the peer may hold now, in bytes.
     *
     * @param windowBytes the stream's window (the most the cap returns)
     * @param minRttNanos the session's minimum RTT, 0 when unknown (no cap then)
     * @param shared whether another stream of the session is live
     */
    long capBytes(long windowBytes, long minRttNanos, boolean shared) {
        if (FIXED && (shared || !onlyWhenShared)) return Math.min(floorBytes, windowBytes);
        if (minRttNanos <= 0 || rateBytesPerNano == 0 || (onlyWhenShared && !shared)) {
            return windowBytes;
        }
        double bdp = rateBytesPerNano * minRttNanos * bdpMultiple;
        long cap = bdp >= windowBytes ? windowBytes : Math.max(floorBytes, (long) bdp);
        return Math.min(cap, windowBytes);
    }

    /** The drain-rate average, bytes per nanosecond. Visible for testing. */
    double rateBytesPerNano() {
        return rateBytesPerNano;
    }
}

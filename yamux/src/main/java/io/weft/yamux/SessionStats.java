package io.weft.yamux;

import java.time.Duration;

/**
 * A snapshot of one session's counters, from {@link Session#stats()}. Counters are cumulative
 * since the session started and never go down; gauges ({@code streamsOpen}, {@code acceptBacklog},
 * {@code memoryBudgetBytes}) are the value at the moment of the snapshot. Fields are read without
 * a common lock, so a snapshot taken under load may be off by the frames in flight. Immutable;
 * taking one costs a few dozen volatile reads and one brief hold of the session lock, so it is
 * meant for scrapes and logs, not for every frame.
 *
 * @param streamsOpen streams currently registered (not yet fully closed or reset), a gauge
 * @param streamsOpened streams opened by this side ({@link Session#openStream()})
 * @param streamsOpenedByPeer inbound streams the peer opened and this side admitted (refusals excluded)
 * @param streamsAccepted inbound streams handed to {@link Session#acceptStream()}
 * @param streamsRefused inbound streams this side refused with RST (backlog full, stream limit,
 *     memory budget, going away)
 * @param streamsResetSent streams that ended by an RST this side sent (refusals excluded)
 * @param streamsResetReceived streams that ended by an RST the peer sent
 * @param acceptBacklog inbound streams admitted but not yet accepted, a gauge
 * @param bytesIn data payload bytes received (frame headers excluded)
 * @param bytesOut data payload bytes sent (frame headers excluded)
 * @param dataFramesIn data frames received
 * @param windowUpdateFramesIn window update frames received
 * @param pingFramesIn ping frames received (requests and replies)
 * @param goAwayFramesIn GoAway frames received
 * @param dataFramesOut data frames sent
 * @param windowUpdateFramesOut window update frames sent
 * @param pingFramesOut ping frames sent (requests and replies)
 * @param goAwayFramesOut GoAway frames sent
 * @param transportWrites write calls on the underlying connection (frames out ÷ this = coalescing factor)
 * @param rtt smoothed round-trip time from pings, {@link Duration#ZERO} before the first reply
 * @param lastRtt the most recent ping round-trip time, {@link Duration#ZERO} before the first reply
 * @param minRtt the smallest ping round-trip time so far, {@link Duration#ZERO} before the first reply
 * @param windowStalls times a writer had to wait because the peer's window was exhausted
 * @param windowStallTime total time writers waited for window
 * @param goAwaysSent GoAway frames this side sent (queued for the wire), by code
 * @param goAwaysReceived GoAway frames the peer sent, by code
 * @param goAwayCodeSent the last GoAway code this side sent, 0 to 2^32-1 (unsigned 32 bits), or -1 if none
 * @param goAwayCodeReceived the last GoAway code the peer sent, 0 to 2^32-1 (unsigned 32 bits), or -1 if none
 * @param memoryBudgetBytes bytes this session holds now in its {@link YamuxConfig#memoryBudget()}
 *     (the session itself, its streams and their window growth; 0 once closed), a gauge
 */
public record SessionStats(
        int streamsOpen,
        long streamsOpened,
        long streamsOpenedByPeer,
        long streamsAccepted,
        long streamsRefused,
        long streamsResetSent,
        long streamsResetReceived,
        int acceptBacklog,
        long bytesIn,
        long bytesOut,
        long dataFramesIn,
        long windowUpdateFramesIn,
        long pingFramesIn,
        long goAwayFramesIn,
        long dataFramesOut,
        long windowUpdateFramesOut,
        long pingFramesOut,
        long goAwayFramesOut,
        long transportWrites,
        Duration rtt,
        Duration lastRtt,
        Duration minRtt,
        long windowStalls,
        Duration windowStallTime,
        GoAwayCounts goAwaysSent,
        GoAwayCounts goAwaysReceived,
        long goAwayCodeSent,
        long goAwayCodeReceived,
        long memoryBudgetBytes) {

    /**
     * GoAway frames by code: {@code normal} (0), {@code protocolError} (1), {@code internalError}
     * (2) and {@code other} (any other code, which hashicorp/yamux never sends). Immutable.
     *
     * @param normal GoAway(0) frames
     * @param protocolError GoAway(1) frames
     * @param internalError GoAway(2) frames
     * @param other frames with any other code
     */
    public record GoAwayCounts(long normal, long protocolError, long internalError, long other) {

        /** All GoAway frames, whatever their code. */
        public long total() {
            return normal + protocolError + internalError + other;
        }
    }

    /** Streams that ended by RST, sent or received (refusals excluded). */
    public long streamsReset() {
        return streamsResetSent + streamsResetReceived;
    }

    /**
     * Always 0: every ping request is answered (a peer that does not read our replies is
     * throttled by no longer being read, never by dropping replies).
     *
     * @deprecated nothing is dropped any more; kept so that existing callers compile
     */
    @Deprecated
    public long pingRepliesDropped() {
        return 0;
    }

    /** All frames received. */
    public long framesIn() {
        return dataFramesIn + windowUpdateFramesIn + pingFramesIn + goAwayFramesIn;
    }

    /** All frames sent. */
    public long framesOut() {
        return dataFramesOut + windowUpdateFramesOut + pingFramesOut + goAwayFramesOut;
    }
}

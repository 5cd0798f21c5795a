package io.weft.yamux;

import java.time.Duration;

/**
 * A snapshot of one session's counters, from {@link Session#stats()}. Counters are cumulative
 * since the session started; fields are read without a common lock, so a snapshot taken under
 * load may be off by the frames in flight. Immutable.
 *
 * @param streamsOpen streams currently registered (not yet fully closed or reset)
 * @param streamsOpened streams opened by this side
 * @param streamsAccepted inbound streams handed to {@link Session#acceptStream()}
 * @param streamsRefused inbound streams refused with RST (backlog full, stream limit, going away)
 * @param streamsReset streams that ended by RST, sent or received (refusals excluded)
 * @param bytesIn data payload bytes received
 * @param bytesOut data payload bytes sent
 * @param dataFramesIn data frames received
 * @param windowUpdateFramesIn window update frames received
 * @param pingFramesIn ping frames received (requests and replies)
 * @param goAwayFramesIn GoAway frames received
 * @param dataFramesOut data frames sent
 * @param windowUpdateFramesOut window update frames sent
 * @param pingFramesOut ping frames sent (requests and replies)
 * @param goAwayFramesOut GoAway frames sent
 * @param pingRepliesDropped always 0: every ping request is answered (a peer that does not read
 *     our replies is throttled by no longer being read, never by dropping replies); kept so that
 *     existing callers compile, and deprecated
 * @param transportWrites write calls on the underlying connection (frames out ÷ this = coalescing factor)
 * @param rtt smoothed round-trip time from pings, {@link Duration#ZERO} before the first reply
 * @param windowStalls times a writer had to wait because the peer's window was exhausted
 * @param windowStallTime total time writers waited for window
 * @param goAwayCodeSent the GoAway code this side sent, 0 to 2^32-1 (unsigned 32 bits), or -1 if none
 * @param goAwayCodeReceived the GoAway code the peer sent, 0 to 2^32-1 (unsigned 32 bits), or -1 if none
 */
public record SessionStats(
        int streamsOpen,
        long streamsOpened,
        long streamsAccepted,
        long streamsRefused,
        long streamsReset,
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
        @Deprecated long pingRepliesDropped,
        long transportWrites,
        Duration rtt,
        long windowStalls,
        Duration windowStallTime,
        long goAwayCodeSent,
        long goAwayCodeReceived) {

    /** All frames received. */
    public long framesIn() {
        return dataFramesIn + windowUpdateFramesIn + pingFramesIn + goAwayFramesIn;
    }

    /** All frames sent. */
    public long framesOut() {
        return dataFramesOut + windowUpdateFramesOut + pingFramesOut + goAwayFramesOut;
    }
}

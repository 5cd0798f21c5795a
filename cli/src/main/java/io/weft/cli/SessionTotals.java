package io.weft.cli;

import io.weft.yamux.SessionStats;
import java.time.Duration;

/**
 * Sums of {@link SessionStats} over several sessions: the counters (streams, resets, bytes,
 * frames, GoAways by code) and, for live sessions, the gauges (open streams, accept backlog,
 * memory budget use, the worst smoothed RTT and the best minimum RTT). Not thread-safe: a
 * {@link SessionSet} keeps one for the sessions that ended, under its lock, and builds a fresh
 * one per {@link SessionSet#metrics()} view.
 */
final class SessionTotals {
    /** GoAway frames by code, in {@link SessionStats.GoAwayCounts} order: 0, 1, 2, other. */
    static final String[] GOAWAY_CODES = {"0", "1", "2", "other"};
    /** Frame types in {@code FrameType} order, as metric label values. */
    static final String[] FRAME_TYPES = {"data", "window_update", "ping", "go_away"};

    long streamsOpened;
    long streamsOpenedByPeer;
    long streamsRefused;
    long streamsResetSent;
    long streamsResetReceived;
    long bytesIn;
    long bytesOut;
    final long[] framesIn = new long[4];
    final long[] framesOut = new long[4];
    final long[] goAwaysSent = new long[4];
    final long[] goAwaysReceived = new long[4];
    // Gauges: only meaningful for live sessions.
    long streamsOpen;
    long acceptBacklog;
    long memoryBudgetBytes;
    /** The highest smoothed RTT of any session, 0 when none has one. */
    long maxRttNanos;
    /** The lowest minimum RTT of any session, 0 when none has one. */
    long minRttNanos;

    /** Adds one session's figures. */
    void add(SessionStats s) {
        streamsOpened += s.streamsOpened();
        streamsOpenedByPeer += s.streamsOpenedByPeer();
        streamsRefused += s.streamsRefused();
        streamsResetSent += s.streamsResetSent();
        streamsResetReceived += s.streamsResetReceived();
        bytesIn += s.bytesIn();
        bytesOut += s.bytesOut();
        add(framesIn, s.dataFramesIn(), s.windowUpdateFramesIn(), s.pingFramesIn(), s.goAwayFramesIn());
        add(framesOut, s.dataFramesOut(), s.windowUpdateFramesOut(), s.pingFramesOut(), s.goAwayFramesOut());
        SessionStats.GoAwayCounts sent = s.goAwaysSent();
        add(goAwaysSent, sent.normal(), sent.protocolError(), sent.internalError(), sent.other());
        SessionStats.GoAwayCounts received = s.goAwaysReceived();
        add(goAwaysReceived, received.normal(), received.protocolError(), received.internalError(), received.other());
        streamsOpen += s.streamsOpen();
        acceptBacklog += s.acceptBacklog();
        memoryBudgetBytes += s.memoryBudgetBytes();
        maxRttNanos = Math.max(maxRttNanos, s.rtt().toNanos());
        long min = s.minRtt().toNanos();
        if (min > 0 && (minRttNanos == 0 || min < minRttNanos)) {
            minRttNanos = min;
        }
    }

    /** Adds the counters of {@code other} (not its gauges). */
    void addCounters(SessionTotals other) {
        streamsOpened += other.streamsOpened;
        streamsOpenedByPeer += other.streamsOpenedByPeer;
        streamsRefused += other.streamsRefused;
        streamsResetSent += other.streamsResetSent;
        streamsResetReceived += other.streamsResetReceived;
        bytesIn += other.bytesIn;
        bytesOut += other.bytesOut;
        for (int i = 0; i < 4; i++) {
            framesIn[i] += other.framesIn[i];
            framesOut[i] += other.framesOut[i];
            goAwaysSent[i] += other.goAwaysSent[i];
            goAwaysReceived[i] += other.goAwaysReceived[i];
        }
    }

    /** Streams opened by either side. */
    long streams() {
        return streamsOpened + streamsOpenedByPeer;
    }

    /** Streams that ended by RST, either direction. */
    long resets() {
        return streamsResetSent + streamsResetReceived;
    }

    static Duration orNull(long nanos) {
        return nanos == 0 ? null : Duration.ofNanos(nanos);
    }

    private static void add(long[] into, long a, long b, long c, long d) {
        into[0] += a;
        into[1] += b;
        into[2] += c;
        into[3] += d;
    }
}

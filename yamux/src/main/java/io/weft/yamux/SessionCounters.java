package io.weft.yamux;

import io.weft.yamux.frame.FrameType;
import io.weft.yamux.frame.GoAwayCodes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link SessionStats}, and the collector that turns them and the
 * session's gauges into a snapshot. Updated from the reader, the flusher and application threads
 * without locks: per-frame and per-byte counts are {@link LongAdder}s (no contention, no
 * allocation after construction); rare events (GoAway) use an {@link AtomicLongArray}. The JFR
 * events of the same moments are emitted from here too ({@link YamuxEvents}). Thread-safe.
 */
final class SessionCounters {
    private static final int CODES = 4; // normal, protocol error, internal error, other

    final String session;
    final LongAdder streamsOpened = new LongAdder();
    final LongAdder streamsOpenedByPeer = new LongAdder();
    final LongAdder streamsAccepted = new LongAdder();
    final LongAdder streamsRefused = new LongAdder();
    private final LongAdder streamsResetSent = new LongAdder();
    private final LongAdder streamsResetReceived = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder[] framesIn = adders();
    final LongAdder[] framesOut = adders();
    final LongAdder transportWrites = new LongAdder();
    final LongAdder windowStalls = new LongAdder();
    final LongAdder windowStallNanos = new LongAdder();
    private final AtomicLongArray goAwaysSent = new AtomicLongArray(CODES);
    private final AtomicLongArray goAwaysReceived = new AtomicLongArray(CODES);
    private volatile long goAwayCodeSent = -1;
    private volatile long goAwayCodeReceived = -1;

    /** Counters for the session named {@code session} (its {@code toString()}, carried by its JFR events). */
    SessionCounters(String session) {
        this.session = session;
    }

    private static LongAdder[] adders() {
        LongAdder[] adders = new LongAdder[FrameType.values().length];
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    void frameIn(FrameType type) {
        framesIn[type.ordinal()].increment();
    }

    void frameOut(FrameType type) {
        framesOut[type.ordinal()].increment();
    }

    /** A stream ended by RST: the peer's ({@code remote}) or ours. */
    void streamReset(int streamId, long code, boolean remote) {
        (remote ? streamsResetReceived : streamsResetSent).increment();
        YamuxEvents.streamReset(session, streamId, code, remote);
    }

    /** This side queued GoAway({@code code}), unsigned 32 bits. */
    void goAwaySent(long code) {
        goAwaysSent.incrementAndGet(bucket(code));
        goAwayCodeSent = code;
        YamuxEvents.goAway(session, code, true);
    }

    /** The peer sent GoAway({@code code}), unsigned 32 bits. */
    void goAwayReceived(long code) {
        goAwaysReceived.incrementAndGet(bucket(code));
        goAwayCodeReceived = code;
        YamuxEvents.goAway(session, code, false);
    }

    private static int bucket(long code) {
        return code >= GoAwayCodes.NORMAL && code <= GoAwayCodes.INTERNAL_ERROR ? (int) code : CODES - 1;
    }

    private static SessionStats.GoAwayCounts counts(AtomicLongArray byCode) {
        return new SessionStats.GoAwayCounts(byCode.get(0), byCode.get(1), byCode.get(2), byCode.get(3));
    }

    /**
     * A snapshot of these counters with the gauges of {@code s}: open streams, accept backlog
     * (takes the session lock briefly), ping RTTs and memory budget use.
     */
    SessionStats snapshot(Session s) {
        return new SessionStats(s.streamCount(), streamsOpened.sum(), streamsOpenedByPeer.sum(),
                streamsAccepted.sum(), streamsRefused.sum(), streamsResetSent.sum(), streamsResetReceived.sum(),
                s.acceptBacklog(), bytesIn.sum(), bytesOut.sum(),
                framesIn[0].sum(), framesIn[1].sum(), framesIn[2].sum(), framesIn[3].sum(),
                framesOut[0].sum(), framesOut[1].sum(), framesOut[2].sum(), framesOut[3].sum(),
                transportWrites.sum(), Duration.ofNanos(s.pings.rttNanos()),
                Duration.ofNanos(s.pings.lastRttNanos()), Duration.ofNanos(s.pings.minRttNanos()),
                windowStalls.sum(), Duration.ofNanos(windowStallNanos.sum()),
                counts(goAwaysSent), counts(goAwaysReceived), goAwayCodeSent, goAwayCodeReceived,
                s.memory.chargedBytes());
    }
}

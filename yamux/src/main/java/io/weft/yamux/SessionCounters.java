package io.weft.yamux;

import io.weft.yamux.frame.FrameType;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link SessionStats}. Updated from the reader, the flusher and
 * application threads without locks (LongAdder). Thread-safe.
 */
final class SessionCounters {
    final LongAdder streamsOpened = new LongAdder();
    final LongAdder streamsAccepted = new LongAdder();
    final LongAdder streamsRefused = new LongAdder();
    final LongAdder streamsReset = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder[] framesIn = adders();
    final LongAdder[] framesOut = adders();
    final LongAdder transportWrites = new LongAdder();
    final LongAdder windowStalls = new LongAdder();
    final LongAdder windowStallNanos = new LongAdder();
    volatile long goAwayCodeSent = -1;
    volatile long goAwayCodeReceived = -1;

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

    SessionStats snapshot(int streamsOpen, long rttNanos) {
        return new SessionStats(streamsOpen, streamsOpened.sum(), streamsAccepted.sum(), streamsRefused.sum(),
                streamsReset.sum(), bytesIn.sum(), bytesOut.sum(),
                framesIn[0].sum(), framesIn[1].sum(), framesIn[2].sum(), framesIn[3].sum(),
                framesOut[0].sum(), framesOut[1].sum(), framesOut[2].sum(), framesOut[3].sum(),
                0, transportWrites.sum(), Duration.ofNanos(rttNanos), windowStalls.sum(),
                Duration.ofNanos(windowStallNanos.sum()), goAwayCodeSent, goAwayCodeReceived);
    }
}

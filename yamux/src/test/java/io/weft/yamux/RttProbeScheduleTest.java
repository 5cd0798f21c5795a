package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.frame.FrameType;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When window auto-tuning refreshes its RTT sample: soon after the first samples (taken while
 * both ends are starting, often milliseconds too high), then less and less often, up to the
 * keepalive interval.
 */
@Timeout(30)
class RttProbeScheduleTest {
    private static final long KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(30);

    @Test
    void theRefreshIntervalDoublesFromOneHundredMillisecondsUpToTheKeepaliveInterval() {
        assertThat(Pings.refreshAfterNanos(0, KEEPALIVE_NANOS)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(Pings.refreshAfterNanos(1, KEEPALIVE_NANOS)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(Pings.refreshAfterNanos(2, KEEPALIVE_NANOS)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(Pings.refreshAfterNanos(9, KEEPALIVE_NANOS)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(25_600));
        assertThat(Pings.refreshAfterNanos(10, KEEPALIVE_NANOS)).isEqualTo(KEEPALIVE_NANOS);
        assertThat(Pings.refreshAfterNanos(Integer.MAX_VALUE, KEEPALIVE_NANOS)).isEqualTo(KEEPALIVE_NANOS);
        assertThat(Pings.refreshAfterNanos(1, TimeUnit.MILLISECONDS.toNanos(50)))
                .as("never later than a short keepalive interval").isEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    }

    @Test
    void aSecondProbeFollowsTheFirstSampleWithinAFractionOfASecondNotAKeepaliveInterval() {
        ManualClock clock = new ManualClock();
        PipeConn[] pipe = PipeConn.pair(64 * 1024);
        Session session = Session.client(pipe[0], YamuxConfig.builder().clock(clock).build());
        try {
            session.pings.rttNanosForTuning(); // no sample yet: the first probe
            awaitPingsSent(session, 1);
            clock.advance(Duration.ofMillis(5));
            session.pings.onReply(session.pings.rttProbeId()); // a 5 ms sample, as at start-up
            assertThat(session.pings.minRttNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(5));

            clock.advance(Duration.ofMillis(99));
            session.pings.rttNanosForTuning();
            assertThat(pingsSent(session)).as("the sample is fresh for 100 ms").isEqualTo(1);

            clock.advance(Duration.ofMillis(2));
            session.pings.rttNanosForTuning();
            awaitPingsSent(session, 2);
            clock.advance(Duration.ofMillis(1));
            session.pings.onReply(session.pings.rttProbeId()); // the link's real RTT
            assertThat(session.pings.minRttNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));

            clock.advance(Duration.ofMillis(150));
            session.pings.rttNanosForTuning();
            assertThat(pingsSent(session)).as("after two samples the next is due in 200 ms").isEqualTo(2);
            clock.advance(Duration.ofMillis(51));
            session.pings.rttNanosForTuning();
            awaitPingsSent(session, 3);
        } finally {
            session.close();
            pipe[1].close();
        }
    }

    private static long pingsSent(Session session) {
        return session.counters.framesOut[FrameType.PING.ordinal()].sum();
    }

    private static void awaitPingsSent(Session session, long count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> pingsSent(session) >= count);
        assertThat(pingsSent(session)).isEqualTo(count);
    }
}

package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A caller that asks for the read role but comes back for it only after the reader thread took
 * it back (a loaded machine woke it late) gets a longer grace at each miss, up to {@link
 * ReadRole#MAX_GRACE_NANOS}, and the normal one again once a caller takes the role. Without it, a
 * caller woken later than 1 ms every time never led (seen as a flake of the leader tests under
 * load). The test thread is a platform thread and plays the late caller.
 */
class LateCallerGraceTest extends OnePairTest {

    @Test
    void eachHandOffNoCallerTookDoublesTheGraceAndATakenOneResetsIt() throws Exception {
        pair = SessionPair.open(SessionPair.Kind.NETPOLL_TCP);
        Stream stream = pair.client().openStream();
        SessionReader reader = pair.client().reader();
        ReadRole role = reader.role();
        for (int miss = 0; miss < 5; miss++) {
            assertThat(reader.missedHandOffs()).isEqualTo(Math.min(miss, 3));
            missOneHandOff(stream, reader, role, ReadRole.graceNanos(miss));
        }
        assertThat(reader.missedHandOffs()).isEqualTo(3);

        // Asked once more, and this time taken: the caller leads until its read deadline. (A loaded
        // machine may let even the longest grace pass between the look and the lead: ask again.)
        long giveUpNanos = System.nanoTime() + PATIENCE.toNanos();
        boolean led = false;
        while (!led && System.nanoTime() < giveUpNanos) {
            long freedBefore = role.freedAtNanos();
            assertThat(reader.lead(stream, Deadlines.NONE)).isFalse();
            reader.requestRole(stream);
            await().atMost(PATIENCE).pollInterval(Duration.ofNanos(200_000)).until(() -> role.freedAtNanos() != freedBefore);
            led = reader.lead(stream, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertThat(led).as("a caller took the role; role " + role).isTrue();
        await().atMost(PATIENCE).until(() -> role.state() == ReadRole.DEDICATED);
        assertThat(reader.missedHandOffs()).isZero();
    }

    /** Asks for the role, lets the reader thread hand it over and take it back; checks it waited {@code graceNanos}. */
    private static void missOneHandOff(Stream stream, SessionReader reader, ReadRole role, long graceNanos)
            throws java.io.IOException {
        long freedBefore = role.freedAtNanos();
        assertThat(reader.lead(stream, Deadlines.NONE)).as("the reader thread holds the role").isFalse();
        assertThat(reader.requestRole(stream)).as("asked for").isFalse();
        // Handed over (freed at a new time) and taken back; seen at or after the take-back.
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(1))
                .until(() -> role.freedAtNanos() != freedBefore && role.state() == ReadRole.DEDICATED);
        assertThat(System.nanoTime() - role.freedAtNanos()).as("free for at least the grace").isGreaterThanOrEqualTo(graceNanos);
    }
}

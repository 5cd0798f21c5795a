package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.yamux.ReadRole.Event;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The read role's transitions and the reader thread's reclaim decision, as pure functions. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReadRoleTest {

    @Test
    void onlyTheReaderThreadHandsOffAndOnlyAFreeRoleIsTakenOrReclaimed() {
        assertThat(ReadRole.next(ReadRole.DEDICATED, Event.HAND_OFF)).isEqualTo(ReadRole.FREE);
        assertThat(ReadRole.next(ReadRole.FREE, Event.LEAD)).isEqualTo(ReadRole.LEADER);
        assertThat(ReadRole.next(ReadRole.LEADER, Event.RELEASE)).isEqualTo(ReadRole.FREE);
        assertThat(ReadRole.next(ReadRole.FREE, Event.RECLAIM)).isEqualTo(ReadRole.DEDICATED);

        assertThat(ReadRole.next(ReadRole.DEDICATED, Event.LEAD)).isEqualTo(ReadRole.REFUSED);
        assertThat(ReadRole.next(ReadRole.LEADER, Event.LEAD)).isEqualTo(ReadRole.REFUSED);
        assertThat(ReadRole.next(ReadRole.LEADER, Event.RECLAIM)).isEqualTo(ReadRole.REFUSED);
        assertThat(ReadRole.next(ReadRole.DEDICATED, Event.RECLAIM)).isEqualTo(ReadRole.REFUSED);
        assertThat(ReadRole.next(ReadRole.FREE, Event.RELEASE)).isEqualTo(ReadRole.REFUSED);
        assertThat(ReadRole.next(ReadRole.LEADER, Event.HAND_OFF)).isEqualTo(ReadRole.REFUSED);
    }

    @Test
    void onlyALeaderReturnsTheRoleStraightToTheReaderThread() {
        assertThat(ReadRole.next(ReadRole.LEADER, Event.RETURN)).isEqualTo(ReadRole.DEDICATED);
        assertThat(ReadRole.next(ReadRole.FREE, Event.RETURN)).isEqualTo(ReadRole.REFUSED);
        assertThat(ReadRole.next(ReadRole.DEDICATED, Event.RETURN)).isEqualTo(ReadRole.REFUSED);
        assertThat(ReadRole.next(ReadRole.ENDED, Event.RETURN)).isEqualTo(ReadRole.REFUSED);
    }

    @Test
    void endedIsTerminalAndReachableFromEveryOtherState() {
        for (int state : new int[] {ReadRole.DEDICATED, ReadRole.FREE, ReadRole.LEADER}) {
            assertThat(ReadRole.next(state, Event.END)).isEqualTo(ReadRole.ENDED);
        }
        for (Event event : Event.values()) {
            assertThat(ReadRole.next(ReadRole.ENDED, event)).isEqualTo(ReadRole.REFUSED);
        }
    }

    @Test
    void theReaderThreadTakesBackOnlyARoleFreeForTheWholeGrace() {
        assertThat(ReadRole.reclaimWaitNanos(ReadRole.FREE, ReadRole.GRACE_NANOS, 0, ReadRole.GRACE_NANOS, true)).isZero();
        assertThat(ReadRole.reclaimWaitNanos(ReadRole.FREE, 5 * ReadRole.GRACE_NANOS, 0, ReadRole.GRACE_NANOS, true)).isZero();
        assertThat(ReadRole.reclaimWaitNanos(ReadRole.FREE, 300_000, 0, ReadRole.GRACE_NANOS, true)).isEqualTo(ReadRole.GRACE_NANOS - 300_000);
        assertThat(ReadRole.reclaimWaitNanos(ReadRole.FREE, 0, 0, ReadRole.GRACE_NANOS, false)).isEqualTo(ReadRole.GRACE_NANOS);
    }

    @Test
    void theGraceDoublesWithEachHandOffNoCallerTookUpToTheLimit() {
        assertThat(ReadRole.graceNanos(0)).isEqualTo(ReadRole.GRACE_NANOS);
        assertThat(ReadRole.graceNanos(1)).isEqualTo(2 * ReadRole.GRACE_NANOS);
        assertThat(ReadRole.graceNanos(2)).isEqualTo(4 * ReadRole.GRACE_NANOS);
        assertThat(ReadRole.graceNanos(3)).isEqualTo(ReadRole.MAX_GRACE_NANOS);
        assertThat(ReadRole.graceNanos(100)).isEqualTo(ReadRole.MAX_GRACE_NANOS);
        long grace = ReadRole.graceNanos(2);
        assertThat(ReadRole.reclaimWaitNanos(ReadRole.FREE, ReadRole.GRACE_NANOS, 0, grace, false)).isEqualTo(grace - ReadRole.GRACE_NANOS);
        assertThat(ReadRole.reclaimWaitNanos(ReadRole.FREE, grace, 0, grace, false)).isZero();
    }

    @Test
    void whileACallerLeadsTheReaderThreadBacksOffUpToTheLimit() {
        long wait = 0;
        long previous = 0;
        for (int i = 0; i < 20; i++) {
            wait = ReadRole.reclaimWaitNanos(ReadRole.LEADER, 0, wait, ReadRole.GRACE_NANOS, false);
            assertThat(wait).isGreaterThanOrEqualTo(previous).isBetween(ReadRole.GRACE_NANOS, ReadRole.MAX_BACKOFF_NANOS);
            previous = wait;
        }
        assertThat(wait).isEqualTo(ReadRole.MAX_BACKOFF_NANOS);
        assertThat(ReadRole.reclaimWaitNanos(ReadRole.ENDED, 0, wait, ReadRole.GRACE_NANOS, false)).isNegative();
        assertThatThrownBy(() -> ReadRole.reclaimWaitNanos(ReadRole.DEDICATED, 0, 0, ReadRole.GRACE_NANOS, false)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aLeaderThatHeldTheRoleThroughAWholeLongestBackOffLetsTheReaderThreadSleepUntilItLeaves() {
        assertThat(ReadRole.reclaimWaitNanos(ReadRole.LEADER, 0, ReadRole.MAX_BACKOFF_NANOS, ReadRole.GRACE_NANOS, true))
                .isEqualTo(ReadRole.UNTIL_RELEASED);
        assertThat(ReadRole.reclaimWaitNanos(ReadRole.LEADER, 0, ReadRole.MAX_BACKOFF_NANOS, ReadRole.GRACE_NANOS, false))
                .as("callers taking turns: keep looking").isEqualTo(ReadRole.MAX_BACKOFF_NANOS);
        assertThat(ReadRole.reclaimWaitNanos(ReadRole.LEADER, 0, ReadRole.GRACE_NANOS, ReadRole.GRACE_NANOS, true))
                .as("not yet a whole longest step").isEqualTo(2 * ReadRole.GRACE_NANOS);
        assertThat(ReadRole.reclaimWaitNanos(ReadRole.FREE, 0, ReadRole.MAX_BACKOFF_NANOS, ReadRole.GRACE_NANOS, true)).isEqualTo(ReadRole.GRACE_NANOS);
    }

    @Test
    void applyMovesTheStateAndRecordsWhenTheRoleWasFreed() {
        ReadRole role = new ReadRole();
        assertThat(role.state()).isEqualTo(ReadRole.DEDICATED);
        assertThat(role.apply(Event.LEAD, 1)).isFalse();
        assertThat(role.apply(Event.HAND_OFF, 42)).isTrue();
        assertThat(role.freedAtNanos()).isEqualTo(42);
        assertThat(role.apply(Event.LEAD, 50)).isTrue();
        assertThat(role.freedAtNanos()).isEqualTo(42);
        assertThat(role.apply(Event.RELEASE, 77)).isTrue();
        assertThat(role.freedAtNanos()).isEqualTo(77);
        assertThat(role.apply(Event.END, 0)).isTrue();
        assertThat(role.apply(Event.RECLAIM, 0)).isFalse();
        assertThat(role).hasToString("ENDED");
    }
}

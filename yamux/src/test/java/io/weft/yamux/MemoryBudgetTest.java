package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The accounting of {@link MemoryBudget} and of one session's share of it, {@link SessionBudget}, without sessions. */
@Timeout(10)
class MemoryBudgetTest {

    private static final YamuxConfig CONFIG = YamuxConfig.defaults();
    private static final long STREAM = 256 * 1024 + MemoryBudget.STREAM_OVERHEAD_BYTES;

    @Test
    void aStreamIsChargedItsWindowItsOverheadAndTheApplicationsBytes() {
        assertThat(MemoryBudget.unlimited().bytesPerStream(CONFIG)).isEqualTo(STREAM);
        MemoryBudget withBuffers = MemoryBudget.builder().extraBytesPerStream(64 * 1024).build();
        assertThat(withBuffers.bytesPerStream(CONFIG.toBuilder().streamWindowBytes(1 << 20).build()))
                .isEqualTo((1 << 20) + MemoryBudget.STREAM_OVERHEAD_BYTES + 64 * 1024);
    }

    @Test
    void chargesAreAllOrNothingAndSayWhichLimitRefused() {
        MemoryBudget budget = MemoryBudget.builder().maxBytes(1000).maxSessions(2).maxStreams(1).build();
        assertThat(budget.tryCharge(400, true, false)).isNull();
        assertThat(budget.tryCharge(400, false, true)).isNull();
        assertThat(budget.tryCharge(1, false, true)).contains("maxStreams (1)");
        assertThat(budget.tryCharge(300, true, false)).contains("full (800 of 1000 bytes");
        assertThat(budget.tryCharge(200, true, false)).isNull();
        assertThat(budget.tryCharge(0, true, false)).contains("maxSessions (2)");
        assertThat(budget.usedBytes()).isEqualTo(1000);
        assertThat(budget.sessions()).isEqualTo(2);
        assertThat(budget.streams()).isEqualTo(1);
        assertThat(budget.refusedSessions()).isEqualTo(2);
        assertThat(budget.refusedStreams()).isEqualTo(1);

        budget.release(400, 0, 1);
        assertThat(budget.tryCharge(400, false, true)).isNull();
    }

    @Test
    void growthTakesWhatFitsAndNeverMore() {
        MemoryBudget budget = MemoryBudget.builder().maxBytes(1000).build();
        assertThat(budget.takeUpTo(600)).isEqualTo(600);
        assertThat(budget.takeUpTo(600)).isEqualTo(400);
        assertThat(budget.takeUpTo(600)).isZero();
    }

    @Test
    void aSessionGivesBackEverythingOnceWhenItEnds() {
        MemoryBudget budget = MemoryBudget.builder().build();
        SessionBudget session = new SessionBudget(budget, CONFIG);
        assertThat(session.admitSession()).isNull();
        assertThat(session.admitStream()).isNull();
        assertThat(session.admitStream()).isNull();
        session.releaseStream();
        assertThat(session.takeGrowth(5000)).isEqualTo(5000);
        session.giveGrowth(1000);
        assertThat(budget.usedBytes()).isEqualTo(MemoryBudget.SESSION_BYTES + STREAM + 4000);
        assertThat(budget.streams()).isEqualTo(1);

        session.close();
        session.close();
        session.releaseStream(); // late: the stream ended after the session
        session.giveGrowth(4000);
        assertThat(budget.usedBytes()).isZero();
        assertThat(budget.sessions()).isZero();
        assertThat(budget.streams()).isZero();
        assertThat(session.admitStream()).isEqualTo("session closed");
        assertThat(session.takeGrowth(1)).isZero();
    }

    @Test
    void aRefusedSessionGivesBackNothingItWasNotCharged() {
        MemoryBudget budget = MemoryBudget.builder().maxSessions(1).build();
        SessionBudget first = new SessionBudget(budget, CONFIG);
        SessionBudget second = new SessionBudget(budget, CONFIG);
        assertThat(first.admitSession()).isNull();
        assertThat(second.admitSession()).contains("maxSessions (1)");
        second.close();
        assertThat(budget.sessions()).isEqualTo(1);
        first.close();
        assertThat(budget.sessions()).isZero();
    }

    @Test
    void autoTuningGrowsOnlyByWhatTheSharedBudgetHolds() {
        MemoryBudget budget = MemoryBudget.builder().maxBytes(MemoryBudget.SESSION_BYTES + 300_000).build();
        SessionBudget session = new SessionBudget(budget, CONFIG);
        session.admitSession();
        AutoTuneBudget growth = new AutoTuneBudget(1_000_000, session);
        assertThat(growth.take(262_144)).isEqualTo(262_144);
        assertThat(growth.take(262_144)).as("only the shared remainder").isEqualTo(300_000 - 262_144);
        assertThat(growth.remainingBytes()).as("the session pool keeps what was not granted").isEqualTo(700_000);
        growth.give(300_000);
        assertThat(budget.usedBytes()).isEqualTo(MemoryBudget.SESSION_BYTES);
        assertThat(growth.remainingBytes()).isEqualTo(1_000_000);
    }

    @Test
    void concurrentChargesNeverExceedTheBudget() throws Exception {
        MemoryBudget budget = MemoryBudget.builder().maxBytes(100 * STREAM).build();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        int[] admitted = new int[8];
        for (int t = 0; t < 8; t++) {
            int slot = t;
            threads.add(Thread.ofPlatform().start(() -> {
                SessionBudget session = new SessionBudget(budget, CONFIG);
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 50; i++) {
                    if (session.admitStream() == null) {
                        admitted[slot]++;
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(java.util.Arrays.stream(admitted).sum()).isEqualTo(100);
        assertThat(budget.usedBytes()).isEqualTo(100 * STREAM);
        assertThat(budget.refusedStreams()).isEqualTo(300);
    }

    @Test
    void invalidValuesAreRejected() {
        assertThatThrownBy(() -> MemoryBudget.builder().maxBytes(-1).build()).hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> MemoryBudget.builder().maxSessions(0).build()).hasMessageContaining("maxSessions");
        assertThatThrownBy(() -> MemoryBudget.builder().maxStreams(0).build()).hasMessageContaining("maxStreams");
        assertThatThrownBy(() -> MemoryBudget.builder().extraBytesPerStream(-1).build())
                .hasMessageContaining("extraBytesPerStream");
        assertThatThrownBy(() -> YamuxConfig.builder().memoryBudget(null).build())
                .isInstanceOf(NullPointerException.class);
    }
}

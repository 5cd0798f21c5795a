package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An idle session whose only stream's virtual-thread caller leads ({@link SessionReader#lead}),
 * blocked for data that does not come, as in a quiet tunnel: its reader thread sleeps until the
 * caller leaves instead of looking at the role every few milliseconds (thousands of such sessions
 * would keep the carriers busy doing nothing), and once the caller has gone it still takes the role
 * back and reads for the session's other streams.
 */
class VirtualLeaderIdleTest extends OnePairTest {

    @Test
    void theReaderThreadSleepsWhileACallerLeadsAnIdleSessionAndTakesTheRoleBackWhenItLeaves() throws Exception {
        YamuxConfig quiet = SessionPair.testConfig().keepAliveEnabled(false).build();
        pair = SessionPair.open(SessionPair.Kind.NETPOLL_TCP, quiet, quiet);
        Stream mine = pair.client().openStream();
        mine.write(ByteBuffer.wrap(new byte[] {1}));
        Stream peer = pair.server().acceptStream();
        SessionReader reader = pair.client().reader();

        CompletableFuture<Integer> read = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                read.complete(mine.read(ByteBuffer.allocate(16)));
            } catch (Throwable t) {
                read.completeExceptionally(t);
            }
        });
        await().atMost(PATIENCE).until(() -> reader.role().state() == ReadRole.LEADER);

        // Parked with no time limit (WAITING, not TIMED_WAITING) in awaitReclaim, while the caller still leads.
        try {
            await().atMost(PATIENCE).until(() -> {
                Thread thread = reader.readerThread();
                return reader.role().state() == ReadRole.LEADER && thread.getState() == Thread.State.WAITING
                        && Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getMethodName().equals("awaitReclaim"));
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Thread thread = reader.readerThread();
            throw new AssertionError("the reader thread keeps waking while the caller leads: " + thread.getState() + " at "
                    + Arrays.toString(thread.getStackTrace()), e);
        }

        // The caller reads its data and goes away: the reader thread, asleep, must still take the role back.
        peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
        await().atMost(PATIENCE).until(() -> reader.role().state() == ReadRole.DEDICATED);
        Stream second = pair.server().openStream();
        second.write(ByteBuffer.wrap(new byte[] {4, 5}));
        Stream accepted = pair.client().acceptStream(PATIENCE);
        ByteBuffer in = ByteBuffer.allocate(2);
        while (in.hasRemaining() && accepted.read(in) > 0) {
            // read on
        }
        assertThat(in.array()).containsExactly(4, 5);
        assertThat(peer.isOpen()).isTrue();
    }
}

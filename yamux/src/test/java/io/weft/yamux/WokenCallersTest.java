package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WokenCallers}: when a bulk stream yields its carrier (a pure rule), and that the session
 * counts a caller the reader woke exactly until it runs, so the count cannot leak and make every
 * bulk stream yield for nothing.
 */
@Timeout(30)
class WokenCallersTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @Test
    void yieldsOnlyAfterALargePieceOnAVirtualThreadWhileACallerWaits() {
        int large = WokenCallers.YIELD_MIN_BYTES;
        assertThat(WokenCallers.shouldYield(large, true, 1)).isTrue();
        assertThat(WokenCallers.shouldYield(large - 1, true, 1)).as("a small piece").isFalse();
        assertThat(WokenCallers.shouldYield(large, false, 1)).as("a platform thread").isFalse();
        assertThat(WokenCallers.shouldYield(large, true, 0)).as("nobody woken").isFalse();
    }

    @Test
    void aCallerWokenByDataIsCountedUntilItRuns() throws Exception {
        try (SessionPair pair = SessionPair.open(SessionPair.Kind.PIPE)) {
            Stream client = pair.client().openStream();
            client.write(ByteBuffer.wrap(new byte[] {1}));
            Stream server = pair.server().acceptStream();
            server.read(ByteBuffer.allocate(1)); // nobody waited for this byte: not counted
            assertThat(pair.server().wokenCallers.waiting()).isZero();
            for (int round = 0; round < 3; round++) {
                CompletableFuture<Integer> read = new CompletableFuture<>();
                Thread reader = Thread.ofVirtual().start(() -> {
                    try {
                        read.complete(server.read(ByteBuffer.allocate(64)));
                    } catch (Throwable t) {
                        read.completeExceptionally(t);
                    }
                });
                await().atMost(PATIENCE).until(() -> reader.getState() == Thread.State.WAITING);
                client.write(ByteBuffer.wrap(new byte[] {2, 3}));
                assertThat(read.get()).isEqualTo(2);
                reader.join();
                assertThat(pair.server().wokenCallers.waiting()).as("round %d", round).isZero();
            }
        }
    }

    @Test
    void aCallerWokenByAResetIsNotCounted() throws Exception {
        try (SessionPair pair = SessionPair.open(SessionPair.Kind.PIPE)) {
            Stream client = pair.client().openStream();
            client.write(ByteBuffer.wrap(new byte[] {1}));
            Stream server = pair.server().acceptStream();
            server.read(ByteBuffer.allocate(1));
            CompletableFuture<Throwable> failed = new CompletableFuture<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    server.read(ByteBuffer.allocate(64));
                    failed.complete(null);
                } catch (Throwable t) {
                    failed.complete(t);
                }
            });
            await().atMost(PATIENCE).until(() -> reader.getState() == Thread.State.WAITING);
            client.reset();
            assertThat(failed.get()).isInstanceOf(StreamResetException.class);
            reader.join();
            assertThat(pair.server().wokenCallers.waiting()).isZero();
        }
    }
}

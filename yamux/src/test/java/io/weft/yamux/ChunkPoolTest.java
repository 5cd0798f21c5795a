package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ChunkPool alone and under RecvBuffer: bulk chunks come back once read and are reused; small ones never enter. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChunkPoolTest {
    private static final int BULK = ChunkPool.CHUNK_BYTES;

    @Test
    void aChunkGivenBackIsTakenAgainCleared() {
        ChunkPool pool = new ChunkPool(new ManualClock());
        ByteBuffer chunk = pool.take();
        assertThat(chunk.capacity()).isEqualTo(BULK);
        chunk.put(new byte[100]).flip();
        pool.give(chunk);
        assertThat(pool.keptChunks()).isOne();
        ByteBuffer again = pool.take();
        assertThat(again).isSameAs(chunk);
        assertThat(again.position()).isZero();
        assertThat(again.limit()).isEqualTo(BULK);
        assertThat(pool.keptChunks()).isZero();
    }

    @Test
    void onlyFullSizeHeapChunksAreKeptAndAtMostMaxChunks() {
        ChunkPool pool = new ChunkPool(new ManualClock());
        pool.give(ByteBuffer.allocate(4096));
        pool.give(ByteBuffer.allocateDirect(BULK));
        pool.give(ByteBuffer.allocate(BULK).asReadOnlyBuffer());
        assertThat(pool.keptChunks()).isZero();
        for (int i = 0; i < ChunkPool.MAX_CHUNKS + 5; i++) {
            pool.give(ByteBuffer.allocate(BULK));
        }
        assertThat(pool.keptChunks()).isEqualTo(ChunkPool.MAX_CHUNKS);
    }

    @Test
    void keptChunksAreDroppedOnceNoneWasTakenForKeepNanos() {
        ManualClock clock = new ManualClock();
        ChunkPool pool = new ChunkPool(clock);
        pool.give(pool.take());
        clock.advance(Duration.ofNanos(ChunkPool.KEEP_NANOS - 1));
        pool.releaseIdle(clock.nanoTime());
        assertThat(pool.keptChunks()).as("taken within the keep time").isOne();
        pool.give(pool.take()); // busy again: the keep time starts over
        clock.advance(Duration.ofNanos(ChunkPool.KEEP_NANOS - 1));
        pool.releaseIdle(clock.nanoTime());
        assertThat(pool.keptChunks()).isOne();
        clock.advance(Duration.ofNanos(1));
        pool.releaseIdle(clock.nanoTime());
        assertThat(pool.keptChunks()).as("idle for the keep time").isZero();
    }

    @Test
    void recvBufferReusesBulkChunksOnceReadToTheirEnd() {
        ChunkPool pool = new ChunkPool(new ManualClock());
        RecvBuffer buffer = new RecvBuffer(pool);
        byte[] frame = new byte[BULK];
        ByteBuffer dst = ByteBuffer.allocate(BULK);
        List<ByteBuffer> made = new ArrayList<>();
        for (int round = 0; round < 100; round++) {
            Arrays.fill(frame, (byte) round);
            buffer.append(frame, 0, frame.length);
            dst.clear();
            assertThat(buffer.read(dst)).isEqualTo(BULK);
            assertThat(dst.array()).containsOnly((byte) round);
            made.add(pool.take()); // the chunk the frame used, back in the pool
            pool.give(made.getLast());
        }
        assertThat(made.stream().distinct().count()).as("one chunk serves every frame").isOne();
        assertThat(buffer.chunkCount()).isZero();
    }

    @Test
    void smallPiecesNeverTakePooledChunksAndDroppedChunksGoBack() {
        ChunkPool pool = new ChunkPool(new ManualClock());
        RecvBuffer buffer = new RecvBuffer(pool);
        buffer.append(new byte[RecvBuffer.POOLED_MIN_BYTES - 1], 0, RecvBuffer.POOLED_MIN_BYTES - 1);
        assertThat(buffer.read(ByteBuffer.allocate(BULK))).isEqualTo(RecvBuffer.POOLED_MIN_BYTES - 1);
        assertThat(pool.keptChunks()).as("a small chunk is not a pool chunk").isZero();
        buffer.append(new byte[3 * BULK], 0, 3 * BULK);
        assertThat(buffer.chunkCount()).isEqualTo(3);
        assertThat(buffer.clear()).isEqualTo(3 * BULK);
        assertThat(pool.keptChunks()).as("a reset stream's chunks go back").isEqualTo(3);
    }
}

package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Conn;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gathering writes on the epoll backend: whatever the buffers' kind, one batch is one {@code
 * writev} (heap parts staged through {@link StagingPool}), bytes keep their order across partial
 * writes, and more than {@code IOV_MAX} buffers are carried over several calls.
 */
@Timeout(30)
class EpollGatherTest {

    /** A heap header before a heap body larger than the old 16 KiB copy limit: one system call, not two. */
    @Test
    void heapHeaderAndLargeHeapBodyLeaveInOneSystemCall() throws Exception {
        byte[] header = bytes(12, 1);
        byte[] body = bytes(40_000, 2);
        try (EpollPair pair = EpollPair.tcp()) {
            EpollTcpConn client = (EpollTcpConn) pair.client();
            client.setWriteBufferBytes(1 << 20);
            ByteBuffer[] srcs = {ByteBuffer.wrap(header), ByteBuffer.wrap(body)};
            // One non-blocking attempt (this thread is the only writer): the whole batch in one call.
            long n = client.tryWrite(srcs, 0, srcs.length);
            assertThat(n).isEqualTo(12 + 40_000);
            assertThat(srcs[0].hasRemaining() || srcs[1].hasRemaining()).isFalse();
            assertThat(readExactly(pair.server(), 12 + 40_000)).isEqualTo(concat(List.of(header, body)));
        }
    }

    /**
     * Many frames' worth of heap, direct, read-only and empty buffers, several MiB in all, so the
     * socket fills and the write goes on over many partial calls while the reader drains it.
     */
    @ParameterizedTest(name = "pattern {0}")
    @ValueSource(ints = {0, 1, 2})
    void mixedHeapAndDirectGatherKeepsOrderAcrossPartialWrites(int pattern) throws Exception {
        Random random = new Random(pattern);
        List<byte[]> parts = new ArrayList<>();
        List<ByteBuffer> srcs = new ArrayList<>();
        srcs.add(ByteBuffer.wrap(new byte[] {99})); // outside the range written: must stay unread
        for (int i = 0; i < 200; i++) {
            int size = switch (pattern) {
                case 0 -> i % 2 == 0 ? 12 : 64 * 1024; // header + full frame, as yamux writes
                case 1 -> random.nextInt(200_000); // bodies larger than a staging area
                default -> random.nextInt(3) == 0 ? 0 : random.nextInt(5_000);
            };
            byte[] part = bytes(size, i);
            parts.add(part);
            srcs.add(switch ((i + pattern) % 4) {
                case 0 -> ByteBuffer.wrap(part);
                case 1 -> ByteBuffer.allocateDirect(size).put(part).flip();
                case 2 -> ByteBuffer.wrap(part).asReadOnlyBuffer();
                default -> ByteBuffer.allocateDirect(size).put(part).flip().asReadOnlyBuffer();
            });
        }
        srcs.add(ByteBuffer.wrap(new byte[] {98}));
        byte[] expected = concat(parts);
        ByteBuffer[] array = srcs.toArray(ByteBuffer[]::new);
        try (EpollPair pair = EpollPair.tcp()) {
            CompletableFuture<Long> written = writeLater(pair.client(), array, 1, array.length - 2);
            assertThat(readExactly(pair.server(), expected.length)).isEqualTo(expected);
            assertThat(written.get(20, TimeUnit.SECONDS)).isEqualTo(expected.length);
            assertThat(Arrays.stream(array, 1, array.length - 1).noneMatch(ByteBuffer::hasRemaining)).isTrue();
            assertThat(array[0].remaining()).isEqualTo(1);
            assertThat(array[array.length - 1].remaining()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "all direct={0}")
    @ValueSource(booleans = {false, true})
    void gatherOfMoreThanIovMaxBuffersKeepsOrder(boolean allDirect) throws Exception {
        int count = 3 * EpollConn.IOV_MAX + 7;
        List<byte[]> parts = new ArrayList<>();
        ByteBuffer[] srcs = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            byte[] part = bytes(1 + i % 50, i);
            parts.add(part);
            srcs[i] = allDirect || i % 3 == 0 ? ByteBuffer.allocateDirect(part.length).put(part).flip() : ByteBuffer.wrap(part);
        }
        byte[] expected = concat(parts);
        try (EpollPair pair = EpollPair.tcp()) {
            CompletableFuture<Long> written = writeLater(pair.client(), srcs, 0, count);
            assertThat(readExactly(pair.server(), expected.length)).isEqualTo(expected);
            assertThat(written.get(20, TimeUnit.SECONDS)).isEqualTo(expected.length);
        }
    }

    @Test
    void stageMergesAdjacentHeapCopiesAndReferencesDirectBuffersInPlace() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(100);
            ByteBuffer direct = ByteBuffer.allocateDirect(5).put(new byte[] {5, 6, 7, 8, 9}).flip();
            ByteBuffer[] srcs = {ByteBuffer.wrap(new byte[] {1, 2}), ByteBuffer.allocate(0), ByteBuffer.wrap(new byte[] {3, 4}),
                direct, ByteBuffer.wrap(new byte[] {10})};
            long[] iovecs = new long[2 * srcs.length];
            assertThat(EpollConn.stage(srcs, 0, srcs.length, staging, iovecs)).isEqualTo(3);
            assertThat(iovecs[0]).isEqualTo(staging.address());
            assertThat(iovecs[1]).isEqualTo(4); // {1, 2} and {3, 4} share one entry
            assertThat(iovecs[2]).isEqualTo(MemorySegment.ofBuffer(direct).address());
            assertThat(iovecs[3]).isEqualTo(5);
            assertThat(iovecs[4]).isEqualTo(staging.address() + 4);
            assertThat(iovecs[5]).isEqualTo(1);
            assertThat(staging.asSlice(0, 5).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                    .containsExactly(1, 2, 3, 4, 10);
            assertThat(srcs[0].position()).as("positions are the caller's to move").isZero();
        }
    }

    @Test
    void stageStopsWhenTheAreaOrTheIovecArrayIsFull() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(100);
            ByteBuffer[] big = {ByteBuffer.wrap(bytes(60, 1)), ByteBuffer.wrap(bytes(60, 2)), ByteBuffer.wrap(bytes(1, 3))};
            long[] iovecs = new long[6];
            assertThat(EpollConn.stage(big, 0, big.length, staging, iovecs)).isEqualTo(1);
            assertThat(iovecs[1]).as("the second buffer goes in part, the third not at all").isEqualTo(100);

            ByteBuffer[] direct = {ByteBuffer.allocateDirect(1).put((byte) 1).flip(),
                ByteBuffer.allocateDirect(1).put((byte) 1).flip(), ByteBuffer.wrap(new byte[] {2})};
            long[] two = new long[4];
            assertThat(EpollConn.stage(direct, 0, direct.length, staging, two)).isEqualTo(2);
            assertThat(two[3]).isEqualTo(1);
        }
    }

    @Test
    void stagingPoolKeepsAtMostItsSlots() {
        List<MemorySegment> taken = new ArrayList<>();
        for (int i = 0; i < StagingPool.SLOTS + 3; i++) {
            taken.add(StagingPool.take());
        }
        assertThat(taken).allMatch(area -> area.byteSize() == StagingPool.AREA_BYTES);
        assertThat(taken.stream().distinct().count()).isEqualTo(taken.size());
        taken.forEach(StagingPool::give);
        assertThat(StagingPool.kept()).isEqualTo(StagingPool.SLOTS); // the 3 extra areas were dropped
        MemorySegment again = StagingPool.take();
        assertThat(taken).as("a kept area is reused").contains(again);
        StagingPool.give(again);
    }

    private static CompletableFuture<Long> writeLater(Conn conn, ByteBuffer[] srcs, int offset, int length) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return conn.write(srcs, offset, length);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }

    private static byte[] readExactly(Conn conn, int byteCount) throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(byteCount);
        ByteBuffer chunk = ByteBuffer.allocate(7_000); // small reads, so the writer meets a full socket
        while (dst.hasRemaining()) {
            chunk.clear().limit(Math.min(chunk.capacity(), dst.remaining()));
            if (conn.read(chunk) < 0) {
                throw new AssertionError("early EOF after " + dst.position());
            }
            dst.put(chunk.flip());
        }
        return dst.array();
    }

    private static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}

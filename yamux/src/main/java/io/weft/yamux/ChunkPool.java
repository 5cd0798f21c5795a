package io.weft.yamux;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The receive chunks of a busy session, recycled: a stream's {@link RecvBuffer} takes a
 * {@value #CHUNK_BYTES}-byte chunk from here for bulk data and gives it back once it is read to
 * its end, so a session moving bulk data on many streams reuses a few chunks instead of allocating
 * (and zeroing) a fresh 64 KiB array per data frame and leaving it to the collector.
 *
 * <p>Memory: at most {@value #MAX_CHUNKS} chunks ({@value #MAX_CHUNKS} × 64 KiB = 2 MiB) wait
 * here per session, and only while the session is busy: the session's timer drops them all once
 * no chunk was taken for {@link #KEEP_NANOS} ({@link #releaseIdle}), so an idle session holds
 * none. Only chunks that held received data come back here, so the pool never holds more than
 * the session's own recent peak of buffered bulk data. A chunk in use belongs to one stream's
 * buffer and is counted there (by the window). Measured with 8 bulk streams on one session: 8
 * slots missed most takes (the chunks in flight swing by more than that), 32 missed few.
 *
 * <p>Threads: taken by the session reader, given back by application readers and closers (under
 * their stream's lock), released by the timer; lock-free (a small array of slots swapped
 * atomically), never blocks. A chunk is given back only once nothing refers to it any more.
 */
final class ChunkPool {
    /** The size of a pooled chunk, bytes: the largest chunk a {@link RecvBuffer} makes. */
    static final int CHUNK_BYTES = 64 * 1024;
    /** Most chunks held for reuse. */
    static final int MAX_CHUNKS = 32;
    /** How long chunks are kept once none is taken, nanoseconds of the session clock. */
    static final long KEEP_NANOS = 1_000_000_000L;

    private final AtomicReferenceArray<ByteBuffer> slots = new AtomicReferenceArray<>(MAX_CHUNKS);
    private final SessionClock clock;
    /** When a chunk was last asked for, in {@link SessionClock#nanoTime()}. */
    private volatile long takenAtNanos;

    ChunkPool(SessionClock clock) {
        this.clock = clock;
    }

    /** A cleared chunk of {@link #CHUNK_BYTES}: a recycled one if any waits, else a new one. */
    ByteBuffer take() {
        takenAtNanos = clock.nanoTime();
        for (int i = 0; i < MAX_CHUNKS; i++) {
            if (slots.getPlain(i) != null) {
                ByteBuffer chunk = slots.getAndSet(i, null);
                if (chunk != null) {
                    return chunk.clear();
                }
            }
        }
        return ByteBuffer.allocate(CHUNK_BYTES);
    }

    /**
     * Keeps {@code chunk} for reuse if it is a pooled-size chunk and a slot is free (else it is
     * left to the collector). The caller must hold no other reference to it.
     */
    void give(ByteBuffer chunk) {
        if (chunk.capacity() != CHUNK_BYTES || chunk.isReadOnly() || !chunk.hasArray()) {
            return;
        }
        for (int i = 0; i < MAX_CHUNKS; i++) {
            if (slots.getPlain(i) == null && slots.compareAndSet(i, null, chunk)) {
                return;
            }
        }
    }

    /** The timer's hook: drops every kept chunk once none was taken for {@link #KEEP_NANOS}. */
    void releaseIdle(long nowNanos) {
        if (nowNanos - takenAtNanos < KEEP_NANOS) {
            return;
        }
        for (int i = 0; i < MAX_CHUNKS; i++) {
            slots.set(i, null);
        }
        // A chunk given back meanwhile may survive until the next tick: bounded by MAX_CHUNKS.
    }

    /** Chunks kept for reuse. Visible for testing. */
    int keptChunks() {
        int n = 0;
        for (int i = 0; i < MAX_CHUNKS; i++) {
            n += slots.get(i) != null ? 1 : 0;
        }
        return n;
    }
}

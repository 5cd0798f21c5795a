package io.weft.yamux;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Received, unread bytes of one stream, in chunks. Small frames are appended to the last chunk,
 * so 262,144 one-byte frames cost a few chunks, not 262,144 (a peer that keeps one chunk per
 * frame can be made to hold a quarter of a million objects for one 256 KiB window). Chunks are
 * allocated only for bytes the window already admitted, so no peer-sent length sizes an
 * allocation beyond the granted credit.
 *
 * <p>An empty buffer holds nothing: a chunk is released as soon as it is read to its end, so an
 * idle stream costs no chunk however much it received before. The first chunk of an empty buffer
 * is sized to the bytes arriving (at least {@value #FIRST_CHUNK_BYTES} bytes), so a small message
 * on an otherwise idle stream allocates little; later chunks take at least 4 KiB, and never more
 * than 4 KiB beyond the bytes that made them, so the unused tail stays within 4 KiB.
 *
 * <p>Bulk data (a piece of at least {@value #POOLED_MIN_BYTES} bytes arriving with no room left)
 * goes into {@value ChunkPool#CHUNK_BYTES}-byte chunks taken from the session's {@link ChunkPool}
 * and given back once read to their end or dropped, so a stream moving bulk data reuses chunks
 * instead of allocating (and zeroing) one per frame. Such a chunk is at most twice the bytes that
 * made it.
 *
 * <p>Not thread-safe: the owning {@link Stream}'s lock guards it.
 */
final class RecvBuffer {
    static final int FIRST_CHUNK_BYTES = 512;
    private static final int MIN_CHUNK_BYTES = 4 * 1024;
    private static final int MAX_CHUNK_BYTES = ChunkPool.CHUNK_BYTES;
    /** A new chunk for a piece at least this long comes from the pool (and is a full-size chunk). */
    static final int POOLED_MIN_BYTES = 32 * 1024;

    /** Where bulk chunks come from and go back to; null: every chunk is allocated and dropped. */
    private final ChunkPool pool;

    /** The chunk read next (readable bytes in [position, limit), free space [limit, capacity)), or null when empty. */
    private ByteBuffer head;
    /** The chunks after {@link #head}, oldest first; null unless there are any. */
    private ArrayDeque<ByteBuffer> rest;
    private long sizeBytes;

    /** A buffer whose chunks are all allocated afresh (no pool). */
    RecvBuffer() {
        this(null);
    }

    /** A buffer that takes its bulk chunks from {@code pool} (null for none). */
    RecvBuffer(ChunkPool pool) {
        this.pool = pool;
    }

    /** Appends {@code length} bytes from {@code src} at {@code offset}. */
    void append(byte[] src, int offset, int length) {
        ByteBuffer last = rest != null ? rest.peekLast() : head;
        while (length > 0) {
            if (last == null || last.limit() == last.capacity()) {
                last = pool != null && length >= POOLED_MIN_BYTES ? pool.take()
                        : ByteBuffer.allocate(Math.min(MAX_CHUNK_BYTES,
                                Math.max(length, last == null ? FIRST_CHUNK_BYTES : MIN_CHUNK_BYTES)));
                last.limit(0);
                if (head == null) {
                    head = last;
                } else {
                    if (rest == null) {
                        rest = new ArrayDeque<>(4);
                    }
                    rest.addLast(last);
                }
            }
            int n = Math.min(last.capacity() - last.limit(), length);
            System.arraycopy(src, offset, last.array(), last.limit(), n);
            last.limit(last.limit() + n);
            offset += n;
            length -= n;
            sizeBytes += n;
        }
    }

    /** Moves up to {@code dst.remaining()} bytes into {@code dst}; returns the count. */
    int read(ByteBuffer dst) {
        int total = 0;
        while (dst.hasRemaining() && head != null) {
            int n = Math.min(head.remaining(), dst.remaining());
            dst.put(head.array(), head.position(), n);
            head.position(head.position() + n);
            total += n;
            if (!head.hasRemaining()) {
                // Read to its end: released, even when it is the only chunk (an idle stream holds none).
                recycle(head);
                head = rest != null ? rest.pollFirst() : null;
                if (rest != null && rest.isEmpty()) {
                    rest = null;
                }
            }
        }
        sizeBytes -= total;
        return total;
    }

    /** Drops everything; returns the bytes dropped. */
    long clear() {
        long dropped = sizeBytes;
        if (head != null) {
            recycle(head);
        }
        if (rest != null) {
            for (ByteBuffer chunk : rest) {
                recycle(chunk);
            }
        }
        head = null;
        rest = null;
        sizeBytes = 0;
        return dropped;
    }

    private void recycle(ByteBuffer chunk) {
        if (pool != null) {
            pool.give(chunk);
        }
    }

    /** Bytes buffered. */
    long sizeBytes() {
        return sizeBytes;
    }

    /** Chunks held, for memory accounting in tests. */
    int chunkCount() {
        return (head == null ? 0 : 1) + (rest == null ? 0 : rest.size());
    }
}

package io.weft.yamux;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Received, unread bytes of one stream, in chunks. Small frames are appended to the last chunk,
 * so 262,144 one-byte frames cost a few chunks, not 262,144 (yamux-anchors §9.9). Chunks are
 * allocated only for bytes the window already admitted, so no peer-sent length sizes an
 * allocation beyond the granted credit.
 *
 * <p>Not thread-safe: the owning {@link Stream}'s lock guards it.
 */
final class RecvBuffer {
    private static final int MIN_CHUNK_BYTES = 4 * 1024;
    private static final int MAX_CHUNK_BYTES = 64 * 1024;

    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private long sizeBytes;

    /** Appends {@code length} bytes from {@code src} at {@code offset}. */
    void append(byte[] src, int offset, int length) {
        ByteBuffer last = chunks.peekLast();
        while (length > 0) {
            // Chunks hold readable bytes in [position, limit); free space is [limit, capacity).
            if (last == null || last.limit() == last.capacity()) {
                last = ByteBuffer.allocate(Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, length)));
                last.limit(0);
                chunks.addLast(last);
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
        while (dst.hasRemaining() && !chunks.isEmpty()) {
            ByteBuffer head = chunks.peekFirst();
            int n = Math.min(head.remaining(), dst.remaining());
            dst.put(head.array(), head.position(), n);
            head.position(head.position() + n);
            total += n;
            if (!head.hasRemaining()) {
                if (chunks.size() > 1 || head.limit() == head.capacity()) {
                    chunks.pollFirst();
                } else {
                    head.position(0).limit(0); // the only chunk, now empty: reuse its space
                    break;
                }
            }
        }
        sizeBytes -= total;
        return total;
    }

    /** Drops everything; returns the bytes dropped. */
    long clear() {
        long dropped = sizeBytes;
        chunks.clear();
        sizeBytes = 0;
        return dropped;
    }

    /** Bytes buffered. */
    long sizeBytes() {
        return sizeBytes;
    }

    /** Chunks held, for memory accounting in tests. */
    int chunkCount() {
        return chunks.size();
    }
}

package io.weft.yamux;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The session reader's input buffer, sized to the load: {@value #SMALL_BYTES} bytes while the
 * connection is quiet (hashicorp reads through a 4 KiB {@code bufio.Reader}), {@value #LARGE_BYTES}
 * bytes under load, so that bulk data still arrives in few, large reads.
 *
 * <ul>
 * <li><b>Grow</b>: a read that filled the small buffer means more was waiting; the next read
 *     goes into the large buffer (the unread bytes move along, at most 4 KiB).</li>
 * <li><b>Shrink</b>: when everything read is handled and the last read took less than half of
 *     the room it was given, the connection was drained, and the next read may block for long:
 *     it goes into the small buffer. The large one is kept as a spare, so a busy connection that
 *     only paused grows again without allocating.</li>
 * <li><b>Release</b>: a spare unused for {@link #SPARE_KEEP_NANOS} is dropped by the session's
 *     timer ({@link #releaseIdleSpare}), so an idle session holds the small buffer only.</li>
 * </ul>
 *
 * <p>Threads: everything but {@link #releaseIdleSpare} runs on the session reader only. The spare
 * is handed between the reader and the timer through an {@link AtomicReference}; the buffer in use
 * is the reader's alone, so dropping a spare never takes bytes from under it.
 */
final class ReaderBuffer {
    /** The buffer of a quiet connection, in bytes. */
    static final int SMALL_BYTES = 4 * 1024;
    /** The buffer under load, in bytes: large data frames arrive in one or two reads. */
    static final int LARGE_BYTES = 128 * 1024;
    /** How long an unused large buffer is kept for the next burst, in nanoseconds. */
    static final long SPARE_KEEP_NANOS = 1_000_000_000L;

    private final SessionClock clock;
    private final ByteBuffer small = ByteBuffer.allocate(SMALL_BYTES).limit(0);
    /** The buffer reads go into; unread bytes are [position, limit). Reader thread only. */
    private ByteBuffer current = small;
    /** The last read's byte count and the room it was given. Reader thread only. */
    private int lastReadBytes;
    private int lastRoomBytes;
    /** The large buffer while the small one is in use, until the timer drops it. */
    private final AtomicReference<ByteBuffer> spare = new AtomicReference<>();
    /** When {@link #spare} was set, in {@link SessionClock#nanoTime()}. */
    private volatile long sparedAtNanos;

    ReaderBuffer(SessionClock clock) {
        this.clock = clock;
    }

    /** The buffer in use, in read mode. */
    ByteBuffer current() {
        return current;
    }

    /**
     * Called before a read: picks the buffer it goes into, keeping the unread bytes in front.
     *
     * @return the buffer to read into, still in read mode (the caller compacts it)
     */
    ByteBuffer beforeRead() {
        if (current == small) {
            if (lastReadBytes > 0 && lastReadBytes == lastRoomBytes) {
                ByteBuffer large = spare.getAndSet(null);
                if (large == null) {
                    large = ByteBuffer.allocate(LARGE_BYTES);
                }
                large.clear();
                large.put(small).flip();
                small.clear().limit(0);
                current = large;
            }
        } else if (!current.hasRemaining() && lastReadBytes < lastRoomBytes / 2) {
            current.clear().limit(0);
            sparedAtNanos = clock.nanoTime();
            spare.set(current);
            current = small;
        }
        return current;
    }

    /** Records a read of {@code readBytes} into {@code roomBytes} of free space. */
    void afterRead(int readBytes, int roomBytes) {
        lastReadBytes = readBytes;
        lastRoomBytes = roomBytes;
    }

    /** Drops the spare large buffer if unused since {@link #SPARE_KEEP_NANOS} before {@code nowNanos}. Any thread. */
    void releaseIdleSpare(long nowNanos) {
        ByteBuffer unused = spare.get();
        if (unused != null && nowNanos - sparedAtNanos >= SPARE_KEEP_NANOS) {
            // If the reader took it and put it back meanwhile, dropping it costs one allocation, no bytes.
            spare.compareAndSet(unused, null);
        }
    }

    /** The capacity of the buffer in use. Visible for testing. */
    int capacityBytes() {
        return current.capacity();
    }

    /** Whether a spare large buffer is held. Visible for testing. */
    boolean holdsSpare() {
        return spare.get() != null;
    }
}

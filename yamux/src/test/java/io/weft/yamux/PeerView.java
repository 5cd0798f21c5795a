package io.weft.yamux;

import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import io.weft.yamux.frame.MalformedFrameException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a fuzzed session wrote, decoded by the test's peer thread as it arrives: the GoAway codes,
 * the last frame's type, whether the marker ping was answered. Written by one thread, read by
 * others; {@link #awaitChange} waits for the next frame or the end.
 */
final class PeerView {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final byte[] header = new byte[FrameHeader.SIZE];
    /** Payload bytes of the current data frame still to skip. */
    private long skip;
    final List<Long> goAwayCodes = new CopyOnWriteArrayList<>();
    volatile FrameType lastFrameType;
    volatile boolean markerAnswered;

    /** Decodes the complete frames in {@code in}, leaving a partial header unread. */
    void consume(ByteBuffer in) {
        boolean any = false;
        while (true) {
            if (skip > 0) {
                int n = (int) Math.min(skip, in.remaining());
                in.position(in.position() + n);
                skip -= n;
                if (skip > 0) {
                    break;
                }
            }
            if (in.remaining() < FrameHeader.SIZE) {
                break;
            }
            in.get(header);
            FrameHeader frame;
            try {
                frame = FrameHeader.decode(header, 0);
            } catch (MalformedFrameException e) {
                throw new AssertionError("the session wrote a malformed frame", e);
            }
            any = true;
            lastFrameType = frame.type();
            switch (frame.type()) {
                case DATA -> skip = frame.length();
                case GO_AWAY -> goAwayCodes.add(frame.length());
                case PING -> markerAnswered |= frame.length() == Integer.toUnsignedLong(SessionFuzzRun.MARKER)
                        && frame.has(io.weft.yamux.frame.Flags.ACK);
                case WINDOW_UPDATE -> {
                    // nothing to record
                }
            }
        }
        if (any) {
            signal();
        }
    }

    void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a frame or the end, at most until {@code deadlineNanos} ({@link System#nanoTime}). */
    void awaitChange(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining > 0) {
                changed.await(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }
}

package io.weft.yamux.hostile;

import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Reads everything the victim sends on an {@link Attacker}'s connection on a virtual thread of
 * its own and counts it: ping replies, stream ACKs and RSTs, the GoAway code, the end of the
 * connection. Tests wait for a count or a frame with {@link #await}.
 *
 * <p>Thread-safe: one reading thread updates, any thread waits. The counts are guarded by
 * {@code lock}.
 */
final class Tally implements AutoCloseable {

    /** The value of the "are you still reading?" ping sent after a flood. */
    static final int PROBE = 0x7FFF_FFF0;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Attacker attacker;
    private final Thread reader;
    private long pingReplies; // guarded by lock
    private long acks; // guarded by lock
    private long resets; // guarded by lock
    private long fins; // guarded by lock
    private long frames; // guarded by lock
    private Long goAwayCode; // guarded by lock
    private boolean ended; // guarded by lock
    private long probeSeenNanos; // guarded by lock; 0 until the PROBE reply arrives
    private long endNanos; // guarded by lock

    Tally(Attacker attacker) {
        this.attacker = attacker;
        reader = Thread.ofVirtual().name("tally").start(() -> run(attacker));
    }

    private void run(Attacker attacker) {
        try {
            while (true) {
                FrameHeader frame;
                try {
                    frame = attacker.read(Duration.ofMinutes(5));
                } catch (SocketTimeoutException e) {
                    continue;
                }
                lock.lock();
                try {
                    if (frame == null) {
                        return;
                    }
                    frames++;
                    if (frame.type() == FrameType.PING && frame.has(Flags.ACK)) {
                        pingReplies++;
                        if (frame.length() == PROBE) {
                            probeSeenNanos = System.nanoTime();
                        }
                    } else if (frame.type() == FrameType.GO_AWAY && goAwayCode == null) {
                        goAwayCode = frame.length();
                    } else if (frame.streamId() != 0 && frame.has(Flags.RST)) {
                        resets++;
                    } else if (frame.streamId() != 0 && frame.has(Flags.ACK)) {
                        acks++;
                    }
                    if (frame.streamId() != 0 && frame.has(Flags.FIN)) {
                        fins++;
                    }
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            // the attacker closed its socket: stop
        } finally {
            lock.lock();
            try {
                ended = true;
                endNanos = System.nanoTime();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Waits until {@code condition} holds for this tally or {@code timeout} passes; returns whether it held. */
    boolean await(Predicate<Tally> condition, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!condition.test(this)) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the reply to the {@link #PROBE} ping arrives (the victim has read everything sent
     * before it) or the connection ends.
     *
     * @return nanoseconds from {@code sentNanos} to the reply, or -1 if it did not come
     */
    long awaitProbe(long sentNanos, Duration timeout) throws InterruptedException {
        await(t -> t.probeSeenNanos != 0 || t.ended, timeout);
        lock.lock();
        try {
            // The reply can arrive before the caller's clock read that it passes as sentNanos (the
            // caller is descheduled between its flush and System.nanoTime() on a loaded machine):
            // that is a reaction of 0, never the "unanswered" -1 (a CI run failed on it).
            return probeSeenNanos == 0 ? -1 : Math.max(0, probeSeenNanos - sentNanos);
        } finally {
            lock.unlock();
        }
    }

    long pingReplies() {
        return locked(() -> pingReplies);
    }

    long acks() {
        return locked(() -> acks);
    }

    long resets() {
        return locked(() -> resets);
    }

    long fins() {
        return locked(() -> fins);
    }

    long frames() {
        return locked(() -> frames);
    }

    Long goAwayCode() {
        lock.lock();
        try {
            return goAwayCode;
        } finally {
            lock.unlock();
        }
    }

    boolean ended() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    /** When the connection ended ({@link System#nanoTime()}), 0 if it has not. */
    long endNanos() {
        return locked(() -> endNanos);
    }

    private long locked(java.util.function.LongSupplier read) {
        lock.lock();
        try {
            return read.getAsLong();
        } finally {
            lock.unlock();
        }
    }

    /** Closes the attacker's connection and waits for the reading thread to stop. */
    @Override
    public void close() throws InterruptedException {
        attacker.close();
        reader.join(TimeUnit.SECONDS.toMillis(5));
    }
}

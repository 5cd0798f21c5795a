package io.weft.yamux;

import io.weft.netpoll.DeadlineExceededException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Go-style deadlines for {@link Stream}: absolute {@link System#nanoTime()} values ({@link #NONE}
 * for none) and the waits that honour them. Stateless; called by application threads.
 */
final class Deadlines {
    /** No deadline. */
    static final long NONE = 0;

    private Deadlines() {
    }

    /** Waits on {@code condition} (stream lock held) until signalled or {@code deadlineNanos} passes. */
    static void await(Condition condition, long deadlineNanos, String operation) throws IOException {
        try {
            if (deadlineNanos == NONE) {
                condition.await();
                return;
            }
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                throw exceeded(operation);
            }
            condition.awaitNanos(remaining);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(operation + " interrupted");
        }
    }

    /** Go semantics: a deadline already passed fails the call even when it could proceed. */
    static void checkDeadline(long deadlineNanos, String operation) throws DeadlineExceededException {
        if (deadlineNanos != NONE && deadlineNanos - System.nanoTime() <= 0) {
            throw exceeded(operation);
        }
    }

    /** The timeout of {@code operation} ("read" or "write") at a passed deadline. */
    static DeadlineExceededException exceeded(String operation) {
        return new DeadlineExceededException(operation + " yamux stream: i/o timeout");
    }

    /** Serializes concurrent reads (or writes), bounded by the deadline current at entry. */
    static void lockSerial(ReentrantLock serial, long deadlineNanos) throws IOException {
        try {
            if (deadlineNanos == NONE) {
                serial.lockInterruptibly();
            } else if (!serial.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new DeadlineExceededException("yamux stream: i/o timeout");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    static long toNanoDeadline(Instant deadline) {
        if (deadline == null) {
            return NONE;
        }
        long nanos = System.nanoTime() + saturatedNanosUntil(deadline);
        return nanos == NONE ? 1 : nanos;
    }

    static long saturatedNanosUntil(Instant deadline) {
        try {
            return Duration.between(Instant.now(), deadline).toNanos();
        } catch (ArithmeticException e) {
            return deadline.isBefore(Instant.now()) ? Long.MIN_VALUE / 4 : Long.MAX_VALUE / 4;
        }
    }
}

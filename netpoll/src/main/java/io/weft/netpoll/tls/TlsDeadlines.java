package io.weft.netpoll.tls;

import io.weft.netpoll.Conn;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The deadlines a {@link TlsConn} puts on the connection below it: the caller's read and write
 * deadlines, each bounded while a handshake runs by the handshake's own deadline. Any thread; the
 * lock is held only around the connection's deadline setters, which never block.
 */
final class TlsDeadlines {
    private final Conn conn;
    private final ReentrantLock lock = new ReentrantLock();
    private Instant read; // guarded by lock; null for none
    private Instant write; // guarded by lock; null for none
    private Instant handshake; // guarded by lock; non-null while a bounded handshake runs
    private Instant closing; // guarded by lock; the bound on sending close_notify once close() began

    TlsDeadlines(Conn conn) {
        this.conn = conn;
    }

    /** The caller's read deadline, applied now (bounded by a running handshake's). */
    void setRead(Instant deadline) throws IOException {
        lock.lock();
        try {
            read = deadline;
            conn.setReadDeadline(earliest(deadline, handshake));
        } finally {
            lock.unlock();
        }
    }

    /** The caller's write deadline, applied now (bounded by a running handshake's). */
    void setWrite(Instant deadline) throws IOException {
        lock.lock();
        try {
            write = deadline;
            conn.setWriteDeadline(earliest(earliest(deadline, handshake), closing));
        } finally {
            lock.unlock();
        }
    }

    /** Whether the caller's read deadline is set and has passed. */
    boolean readPassed() {
        lock.lock();
        try {
            return read != null && !read.isAfter(Instant.now());
        } finally {
            lock.unlock();
        }
    }

    /** The caller's write deadline, or null. */
    Instant write() {
        lock.lock();
        try {
            return write;
        } finally {
            lock.unlock();
        }
    }

    /** Bounds both directions by {@code timeout} from now until {@link #endHandshake}; zero for no bound. */
    void startHandshake(Duration timeout) throws IOException {
        if (timeout.isZero()) {
            return;
        }
        lock.lock();
        try {
            handshake = Instant.now().plus(timeout);
            conn.setReadDeadline(earliest(read, handshake));
            conn.setWriteDeadline(earliest(write, handshake));
        } finally {
            lock.unlock();
        }
    }

    /** Puts the caller's deadlines back; {@code connOpen} false when the connection was closed meanwhile. */
    void endHandshake(boolean connOpen) throws IOException {
        lock.lock();
        try {
            boolean bounded = handshake != null;
            handshake = null;
            if (bounded && connOpen) {
                conn.setReadDeadline(read);
                conn.setWriteDeadline(earliest(write, closing));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Bounds writes by {@code timeout} from now for good: {@code close()} sending close_notify.
     * Kept under the lock, so a handshake ending at the same moment cannot lift it.
     */
    void boundForClose(Duration timeout) throws IOException {
        lock.lock();
        try {
            closing = Instant.now().plus(timeout);
            conn.setWriteDeadline(earliest(write, closing));
        } finally {
            lock.unlock();
        }
    }

    /** Whether the handshake's bound, not a deadline of the caller's, is the one that passed. */
    boolean handshakeBoundPassedFirst() {
        lock.lock();
        try {
            Instant caller = earliest(read, write);
            return handshake != null && (caller == null || caller.isAfter(handshake));
        } finally {
            lock.unlock();
        }
    }

    /** The earlier of two deadlines, null meaning none. */
    static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }
}

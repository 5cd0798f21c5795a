package io.weft.yamux;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Test-only in-memory {@link Conn} pair: each direction is a bounded byte buffer, so a side that
 * stops reading really blocks the other's writes (a "stuck peer"). Deadlines and close follow the
 * Conn contract closely enough for session tests. Thread-safe.
 */
final class PipeConn implements Conn {
    private final Direction in;
    private final Direction out;
    private volatile boolean closed;
    private volatile Instant readDeadline;
    private volatile Instant writeDeadline;
    /** When positive, writes go out this many bytes at a time with {@link #throttlePause} after each. */
    private volatile int throttleChunkBytes;
    private volatile long throttlePauseNanos;
    /** How the link lets {@link #throttlePauseNanos} pass after a chunk: parks, or moves a test clock. */
    private volatile java.util.function.LongConsumer throttlePause;

    private PipeConn(Direction in, Direction out) {
        this.in = in;
        this.out = out;
    }

    /** Two connected ends, each direction buffering up to {@code capacityBytes}. */
    static PipeConn[] pair(int capacityBytes) {
        Direction aToB = new Direction(capacityBytes);
        Direction bToA = new Direction(capacityBytes);
        return new PipeConn[] {new PipeConn(bToA, aToB), new PipeConn(aToB, bToA)};
    }

    /** Stops (or resumes) delivering what this end writes, as if the peer's TCP window were 0. */
    void pauseWrites(boolean paused) {
        out.setPaused(paused);
    }

    /**
     * Waits until a write to this end is parked for lack of buffer space (the peer is not taking
     * bytes: paused or not reading) and returns the writing thread. Explicit synchronisation for
     * tests that need a writer stuck inside the transport; no polling of thread states.
     *
     * @throws java.util.concurrent.TimeoutException if no write parks within {@code timeout}
     */
    Thread awaitBlockedWriter(Duration timeout) throws InterruptedException, java.util.concurrent.TimeoutException {
        return out.awaitBlockedWriter(timeout);
    }

    /**
     * Makes this end's writes trickle out {@code chunkBytes} at a time, like a slow link that never
     * stops moving: after each chunk the writing thread runs {@code pause} with {@code pauseNanos}.
     * {@link LockSupport#parkNanos(long)} makes the link slow in wall time; a {@link ManualClock}'s
     * advance makes it slow in the session's time only, taking no wall time.
     */
    void throttleWrites(int chunkBytes, long pauseNanos, java.util.function.LongConsumer pause) {
        throttlePause = pause;
        throttlePauseNanos = pauseNanos;
        throttleChunkBytes = chunkBytes;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        return in.read(dst, () -> readDeadline, () -> closed);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]);
            }
        }
        return 0;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        int chunkBytes = throttleChunkBytes;
        if (chunkBytes <= 0) {
            return out.write(src, () -> writeDeadline, () -> closed);
        }
        int total = 0;
        while (src.hasRemaining()) {
            int n = Math.min(chunkBytes, src.remaining());
            total += out.write(src.slice(src.position(), n), () -> writeDeadline, () -> closed);
            src.position(src.position() + n);
            throttlePause.accept(throttlePauseNanos); // the link's speed, not synchronisation
        }
        return total;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    @Override
    public void closeWrite() {
        out.closeWriter();
    }

    @Override
    public void closeRead() {
        in.closeReader();
    }

    @Override
    public void close() {
        closed = true;
        out.closeWriter();
        in.closeReader();
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public SocketAddress localAddress() {
        return null;
    }

    @Override
    public SocketAddress remoteAddress() {
        return null;
    }

    @Override
    public void setReadDeadline(Instant deadline) {
        readDeadline = deadline;
        in.wake();
    }

    @Override
    public void setWriteDeadline(Instant deadline) {
        writeDeadline = deadline;
        out.wake();
    }

    @Override
    public InputStream inputStream() {
        throw new UnsupportedOperationException();
    }

    @Override
    public OutputStream outputStream() {
        throw new UnsupportedOperationException();
    }

    private interface Flag {
        boolean isSet();
    }

    /** One direction: a ring buffer with a writer end and a reader end. */
    private static final class Direction {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final byte[] ring;
        private int head;
        private int size;
        private boolean writerClosed;
        private boolean readerClosed;
        private boolean paused;
        /** The thread parked in {@link #write} waiting for space, or null. */
        private Thread blockedWriter;

        Direction(int capacity) {
            ring = new byte[capacity];
        }

        void setPaused(boolean paused) {
            lock.lock();
            try {
                this.paused = paused;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        Thread awaitBlockedWriter(Duration timeout) throws InterruptedException, java.util.concurrent.TimeoutException {
            long leftNanos = timeout.toNanos();
            lock.lock();
            try {
                while (blockedWriter == null) {
                    if (leftNanos <= 0) {
                        throw new java.util.concurrent.TimeoutException("no write blocked within " + timeout);
                    }
                    leftNanos = changed.awaitNanos(leftNanos);
                }
                return blockedWriter;
            } finally {
                lock.unlock();
            }
        }

        int read(ByteBuffer dst, java.util.function.Supplier<Instant> deadline, Flag closed) throws IOException {
            lock.lock();
            try {
                while (size == 0 || paused) {
                    if (closed.isSet() || readerClosed) {
                        throw new ClosedChannelException();
                    }
                    if (writerClosed && size == 0) {
                        return -1;
                    }
                    await(deadline.get()); // the current one: a deadline moved while blocked applies (Conn contract);
                }
                int n = Math.min(size, dst.remaining());
                for (int i = 0; i < n; i++) {
                    dst.put(ring[(head + i) % ring.length]);
                }
                head = (head + n) % ring.length;
                size -= n;
                changed.signalAll();
                return n;
            } finally {
                lock.unlock();
            }
        }

        int write(ByteBuffer src, java.util.function.Supplier<Instant> deadline, Flag closed) throws IOException {
            int total = 0;
            lock.lock();
            try {
                while (src.hasRemaining()) {
                    if (closed.isSet() || writerClosed) {
                        throw new ClosedChannelException();
                    }
                    if (readerClosed) {
                        throw new IOException("broken pipe");
                    }
                    int space = ring.length - size;
                    if (space == 0) {
                        blockedWriter = Thread.currentThread();
                        changed.signalAll(); // wakes awaitBlockedWriter
                        try {
                            await(deadline.get());
                        } catch (DeadlineExceededException e) {
                            e.bytesTransferred = total;
                            throw e;
                        } finally {
                            blockedWriter = null;
                        }
                        continue;
                    }
                    int n = Math.min(space, src.remaining());
                    for (int i = 0; i < n; i++) {
                        ring[(head + size + i) % ring.length] = src.get();
                    }
                    size += n;
                    total += n;
                    changed.signalAll();
                }
                return total;
            } finally {
                lock.unlock();
            }
        }

        private void await(Instant deadline) throws IOException {
            try {
                if (deadline == null) {
                    changed.await();
                } else {
                    long nanos = Duration.between(Instant.now(), deadline).toNanos();
                    if (nanos <= 0) {
                        throw new DeadlineExceededException();
                    }
                    changed.await(nanos, TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
        }

        void closeWriter() {
            lock.lock();
            try {
                writerClosed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void closeReader() {
            lock.lock();
            try {
                readerClosed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void wake() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}

package io.weft.netpoll;

import io.weft.netpoll.spi.PollDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of {@link Net#pipe()}: Go's {@code net.Pipe}, a synchronous in-memory connection. A
 * write blocks until readers on the other end have taken every byte (there is no buffer); a read
 * takes what the blocked write offers. Deadlines, close, half-close and interrupt behave as on a
 * socket. The addresses are {@code null}.
 *
 * <h2>Threads and locks</h2>
 * Any thread. Readers are serialized by {@code readLock}, writers by {@code writeLock}; each
 * direction's state is guarded by its {@link Direction#lock}. Lock order: {@code readLock} or
 * {@code writeLock} before a direction lock; {@link #close()} takes only direction locks, one at a
 * time.
 */
final class PipeConn implements Conn {

    /** One way of the pipe, shared by the end that writes and the end that reads it. */
    static final class Direction {
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        /** The blocked writer's bytes, consumed in place by readers; guarded by lock. */
        ByteBuffer offered;
        /** The writing end half-closed or closed: readers get end of stream. Guarded by lock. */
        boolean writerDone;
        /** The reading end closed or shut its read side: writers fail. Guarded by lock. */
        boolean readerGone;
    }

    private final String name;
    private final Direction in;
    private final Direction out;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final InputStream inputStream = new ConnInputStream(this);
    private final OutputStream outputStream = new ConnOutputStream(this);
    private volatile boolean closed;
    private volatile boolean readShutdown;
    private volatile boolean writeShutdown;
    private volatile long readDeadlineNanos;
    private volatile long writeDeadlineNanos;

    PipeConn(String name, Direction in, Direction out) {
        this.name = name;
        this.in = in;
        this.out = out;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            ensureOpen("read");
            return 0;
        }
        lock(readLock, "read");
        try {
            in.lock.lock();
            try {
                while (true) {
                    if (closed) {
                        throw closedException("read");
                    }
                    long remainingNanos = remainingNanos(readDeadlineNanos);
                    if (remainingNanos <= 0) { // before closeRead's end of stream, as Go checks it first
                        throw new DeadlineExceededException("read pipe: i/o timeout");
                    }
                    if (readShutdown) {
                        return -1;
                    }
                    ByteBuffer offered = in.offered;
                    if (offered != null && offered.hasRemaining()) {
                        int n = Math.min(dst.remaining(), offered.remaining());
                        dst.put(dst.position(), offered, offered.position(), n);
                        dst.position(dst.position() + n);
                        offered.position(offered.position() + n);
                        if (!offered.hasRemaining()) {
                            in.changed.signalAll();
                        }
                        return n;
                    }
                    if (in.writerDone) {
                        return -1;
                    }
                    awaitChange(in, remainingNanos, "read", 0);
                }
            } finally {
                in.lock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]); // a scattering read may fill less than all buffers
            }
        }
        ensureOpen("read");
        return 0;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        lock(writeLock, "write");
        try {
            out.lock.lock();
            try {
                int start = src.position();
                int total = src.remaining();
                out.offered = src;
                out.changed.signalAll();
                try {
                    while (true) {
                        int written = src.position() - start;
                        if (total > 0 && written == total) {
                            // Every byte was taken: done, whatever either end did since (Go's net.Pipe).
                            return total;
                        }
                        if (closed) {
                            throw closedException("write");
                        }
                        if (writeShutdown) {
                            throw new NetClosedException("write", "pipe", "write side closed by closeWrite");
                        }
                        if (out.readerGone) {
                            throw new ConnectionResetException("write pipe: broken pipe");
                        }
                        long remainingNanos = remainingNanos(writeDeadlineNanos);
                        if (remainingNanos <= 0) {
                            DeadlineExceededException timeout = new DeadlineExceededException("write pipe: i/o timeout");
                            timeout.bytesTransferred = written;
                            throw timeout;
                        }
                        if (written == total) {
                            return total;
                        }
                        awaitChange(out, remainingNanos, "write", written);
                    }
                } finally {
                    out.offered = null;
                }
            } finally {
                out.lock.unlock();
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        lock(writeLock, "write"); // reentrant: the buffers go out back to back
        try {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(srcs[i]);
            }
            return total;
        } finally {
            writeLock.unlock();
        }
    }

    /** Waits for the direction to change, the remaining time or an interrupt. Holds {@code d.lock}. */
    private void awaitChange(Direction d, long remainingNanos, String op, int bytesTransferred) throws IOException {
        try {
            if (remainingNanos == Long.MAX_VALUE) {
                d.changed.await();
            } else {
                d.changed.awaitNanos(remainingNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException(op + " pipe: interrupted");
            interrupted.bytesTransferred = bytesTransferred;
            throw interrupted;
        }
    }

    /** Nanoseconds left before {@code deadline}; {@link Long#MAX_VALUE} for none, 0 or less when passed. */
    private static long remainingNanos(long deadline) {
        if (deadline == PollDescriptor.NO_DEADLINE) {
            return Long.MAX_VALUE;
        }
        if (deadline == PollDescriptor.EXPIRED) {
            return 0;
        }
        return deadline - PollDescriptor.nanoTime();
    }

    @Override
    public void closeWrite() throws IOException {
        ensureOpen("closewrite");
        writeShutdown = true;
        signal(out, () -> out.writerDone = true);
    }

    @Override
    public void closeRead() throws IOException {
        ensureOpen("closeread");
        readShutdown = true;
        signal(in, () -> in.readerGone = true);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        signal(in, () -> in.readerGone = true);
        signal(out, () -> out.writerDone = true);
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void setReadDeadline(Instant deadline) throws IOException {
        ensureOpen("set");
        readDeadlineNanos = PollDescriptor.deadlineNanos(deadline);
        signal(in, () -> {});
    }

    @Override
    public void setWriteDeadline(Instant deadline) throws IOException {
        ensureOpen("set");
        writeDeadlineNanos = PollDescriptor.deadlineNanos(deadline);
        signal(out, () -> {});
    }

    /** Changes a direction's state under its lock and wakes its waiters to re-evaluate. */
    private static void signal(Direction d, Runnable change) {
        d.lock.lock();
        try {
            change.run();
            d.changed.signalAll();
        } finally {
            d.lock.unlock();
        }
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
    public InputStream inputStream() {
        return inputStream;
    }

    @Override
    public OutputStream outputStream() {
        return outputStream;
    }

    private void ensureOpen(String op) throws NetClosedException {
        if (closed) {
            throw closedException(op);
        }
    }

    private NetClosedException closedException(String op) {
        return new NetClosedException(op, "pipe");
    }

    private void lock(ReentrantLock lock, String op) throws IOException {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(op + " pipe: interrupted");
        }
    }

    @Override
    public String toString() {
        return "PipeConn[" + name + (closed ? ", closed" : "") + "]";
    }
}

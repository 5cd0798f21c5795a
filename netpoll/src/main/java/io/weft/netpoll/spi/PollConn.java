package io.weft.netpoll.spi;

import io.weft.netpoll.Conn;
import io.weft.netpoll.ConnInputStream;
import io.weft.netpoll.ConnOutputStream;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.netpoll.NetClosedException;
import io.weft.netpoll.PollerFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;

/**
 * Go's read and write loops ({@code internal/poll.FD.Read/Write}), written once for every poller
 * backend. A backend subclasses this with one non-blocking attempt per direction ({@link
 * #tryRead(ByteBuffer)}, {@link #tryWrite(ByteBuffer)} and the vectored forms), the half-close
 * and close primitives, and, if its poller needs it, interest arming ({@link #armRead()}).
 *
 * <h2>The loops</h2>
 * A read takes the read lock, registers itself in flight on the {@link PollDescriptor}, prepares
 * the read direction (fails fast when closed or past the deadline), then alternates one
 * non-blocking attempt with a wait on the descriptor until it gets bytes, end of stream, or the
 * wait ends with a timeout, close or interrupt. A write does the same but loops until every byte
 * is written (Go's {@code Write} contract); a timeout after a partial write reports the count in
 * {@link DeadlineExceededException#bytesTransferred}.
 *
 * <h2>Threads and locks</h2>
 * Any thread may call any method. Readers are serialized by {@code readLock} and writers by
 * {@code writeLock} (so at most one thread waits in each slot of the descriptor); the two locks are
 * never held together. They are {@link CallLock}s, so close releases the callers queued on them
 * at once, not one after another. {@link #close()}, the deadline setters and the half-closes
 * take no lock and never block. The native handle is released ({@link #closeHandle()}) by whichever thread ends
 * the last call in flight after close, so a subclass must allow that to be any thread.
 */
public abstract class PollConn implements Conn {
    private static final System.Logger LOG = System.getLogger(PollConn.class.getName());

    /** This connection's poll descriptor, which the backend's poller notifies. */
    protected final PollDescriptor poll;
    private final String network;
    private final CallLock readLock = new CallLock();
    private final CallLock writeLock = new CallLock();
    private volatile boolean readShutdown;
    private volatile boolean writeShutdown;
    private final InputStream inputStream = new ConnInputStream(this);
    private final OutputStream outputStream = new ConnOutputStream(this);

    /**
     * Creates the connection around an open, non-blocking socket already registered with its
     * poller.
     *
     * @param network the network name used in error messages: "tcp", "tcp6", "unix", ...
     * @param poll the descriptor the poller notifies for this socket
     */
    protected PollConn(String network, PollDescriptor poll) {
        this.network = Objects.requireNonNull(network, "network");
        this.poll = Objects.requireNonNull(poll, "poll");
    }

    // ---------------------------------------------------------------- backend primitives

    /**
     * One non-blocking read; called only with space remaining, under the read lock, while the
     * handle is guaranteed open. Retries {@code EINTR} itself.
     *
     * @return the bytes read ({@code > 0}), {@code -1} at end of stream, or {@code 0} when the
     *     socket would block
     */
    protected abstract int tryRead(ByteBuffer dst) throws IOException;

    /** Vectored {@link #tryRead(ByteBuffer)}: same results, called only with space remaining. */
    protected abstract long tryRead(ByteBuffer[] dsts, int offset, int length) throws IOException;

    /**
     * One non-blocking write; called only with bytes remaining, under the write lock.
     *
     * @return the bytes written ({@code > 0}), or {@code 0} when the socket would block
     */
    protected abstract int tryWrite(ByteBuffer src) throws IOException;

    /** Vectored {@link #tryWrite(ByteBuffer)}; the first buffer has bytes remaining. */
    protected abstract long tryWrite(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /**
     * Called after a read would block and before waiting: a poller with one-shot interest (the
     * Selector) arms read interest here. An edge-triggered poller that registered the socket once
     * does nothing, which is the default.
     */
    protected void armRead() throws IOException {}

    /** Called after a write would block and before waiting; see {@link #armRead()}. */
    protected void armWrite() throws IOException {}

    /**
     * How the calling platform thread may wait for this socket to become readable inside the
     * kernel ({@link PollDescriptor#awaitRead(KernelWaiter)}), or {@code null} to park until the
     * poller unparks it, which is the default. Called under the read lock, after a read would
     * block; ignored for virtual threads.
     */
    protected KernelWaiter kernelWaiter() {
        return null;
    }

    /** Shuts down the socket's read side ({@code shutdown(SHUT_RD)}). */
    protected abstract void shutdownInput() throws IOException;

    /** Shuts down the socket's write side ({@code shutdown(SHUT_WR)}, sends FIN). */
    protected abstract void shutdownOutput() throws IOException;

    /**
     * Deregisters the socket from its poller and closes it. Called exactly once, after {@link
     * #close()}, when no call is in flight, on whichever thread ended the last call.
     */
    protected abstract void closeHandle() throws IOException;

    /**
     * Closes the handle when the last call in flight after {@link #close()} ends. That thread is
     * a reader or writer being released by the close and should return at once, so a backend
     * whose close has to wait for its poller may hand the close over instead of waiting. Called at
     * most once, instead of {@link #closeHandle()}; the default calls {@link #closeHandle()}.
     */
    protected void closeHandleAsync() throws IOException {
        closeHandle();
    }

    // ---------------------------------------------------------------- reads

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            ensureOpen("read");
            return 0;
        }
        lock(readLock, "read");
        try {
            enter("read");
            try {
                PollStatus status = poll.prepareRead();
                while (true) {
                    if (status != PollStatus.READY) {
                        // Even after closeRead: Go checks the deadline before reading (a timeout, not EOF).
                        throw failure("read", status, 0);
                    }
                    if (readShutdown) {
                        return -1;
                    }
                    int n = tryRead(dst);
                    if (n != 0) {
                        return n;
                    }
                    armRead();
                    status = poll.awaitRead(kernelWaiter());
                }
            } finally {
                leave();
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        if (!hasRemaining(dsts, offset, length)) {
            ensureOpen("read");
            return 0;
        }
        lock(readLock, "read");
        try {
            enter("read");
            try {
                PollStatus status = poll.prepareRead();
                while (true) {
                    if (status != PollStatus.READY) {
                        // Even after closeRead: Go checks the deadline before reading (a timeout, not EOF).
                        throw failure("read", status, 0);
                    }
                    if (readShutdown) {
                        return -1;
                    }
                    long n = tryRead(dsts, offset, length);
                    if (n != 0) {
                        return n;
                    }
                    armRead();
                    status = poll.awaitRead(kernelWaiter());
                }
            } finally {
                leave();
            }
        } finally {
            readLock.unlock();
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public int write(ByteBuffer src) throws IOException {
        lock(writeLock, "write");
        try {
            enter("write");
            try {
                int written = 0;
                PollStatus status = poll.prepareWrite();
                while (true) {
                    if (status != PollStatus.READY) {
                        throw failure("write", status, written);
                    }
                    if (writeShutdown) {
                        throw writeShutdownException();
                    }
                    if (!src.hasRemaining()) {
                        return written;
                    }
                    int n = tryWrite(src);
                    if (n > 0) {
                        written += n;
                        continue;
                    }
                    armWrite();
                    status = poll.awaitWrite();
                }
            } finally {
                leave();
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        lock(writeLock, "write");
        try {
            enter("write");
            try {
                long written = 0;
                int end = offset + length;
                PollStatus status = poll.prepareWrite();
                while (true) {
                    if (status != PollStatus.READY) {
                        throw failure("write", status, written);
                    }
                    if (writeShutdown) {
                        throw writeShutdownException();
                    }
                    while (offset < end && !srcs[offset].hasRemaining()) {
                        offset++;
                    }
                    if (offset == end) {
                        return written;
                    }
                    long n = tryWrite(srcs, offset, end - offset);
                    if (n > 0) {
                        written += n;
                        continue;
                    }
                    armWrite();
                    status = poll.awaitWrite();
                }
            } finally {
                leave();
            }
        } finally {
            writeLock.unlock();
        }
    }

    // ---------------------------------------------------------------- half-close, close

    /** Half-closes the write side; wakes a blocked writer, which fails. Idempotent. */
    @Override
    public void closeWrite() throws IOException {
        enter("closewrite");
        try {
            if (!writeShutdown) {
                writeShutdown = true;
                poll.notifyWritable();
                shutdownOutput();
            }
        } finally {
            leave();
        }
    }

    /** Shuts the read side; a blocked reader and later reads get end of stream. Idempotent. */
    @Override
    public void closeRead() throws IOException {
        enter("closeread");
        try {
            if (!readShutdown) {
                readShutdown = true;
                poll.notifyReadable();
                shutdownInput();
            }
        } finally {
            leave();
        }
    }

    /**
     * Closes the connection: blocked and later calls fail with {@link NetClosedException}; the
     * socket itself is closed as soon as the last call in flight has left (at once when there is
     * none). Idempotent, never blocks.
     */
    @Override
    public void close() throws IOException {
        boolean idle = poll.close();
        readLock.close();
        writeLock.close();
        if (idle) {
            closeHandle();
        }
    }

    /** Whether the connection is open: {@code false} from the moment {@link #close()} is called. */
    @Override
    public boolean isOpen() {
        return !poll.isClosing();
    }

    /** Whether {@link #closeWrite()} has been called; backends use it to word write errors. */
    protected final boolean isWriteShutdown() {
        return writeShutdown;
    }

    // ---------------------------------------------------------------- deadlines

    @Override
    public void setReadDeadline(Instant deadline) throws IOException {
        ensureOpen("set");
        poll.setReadDeadline(PollDescriptor.deadlineNanos(deadline));
    }

    @Override
    public void setWriteDeadline(Instant deadline) throws IOException {
        ensureOpen("set");
        poll.setWriteDeadline(PollDescriptor.deadlineNanos(deadline));
    }

    @Override
    public void setDeadline(Instant deadline) throws IOException {
        ensureOpen("set");
        long deadlineNanos = PollDescriptor.deadlineNanos(deadline);
        poll.setReadDeadline(deadlineNanos);
        poll.setWriteDeadline(deadlineNanos);
    }

    // ---------------------------------------------------------------- streams

    @Override
    public InputStream inputStream() {
        return inputStream;
    }

    @Override
    public OutputStream outputStream() {
        return outputStream;
    }

    // ---------------------------------------------------------------- helpers for subclasses

    /** The network name given at construction ("tcp", "unix", ...). */
    public final String network() {
        return network;
    }

    /** Go's description of this connection for messages: {@code "tcp 127.0.0.1:80->127.0.0.1:5123"}. */
    protected String describe() {
        return Addresses.describe(network, localAddress(), remoteAddress());
    }

    /** The closed error for {@code op} on this connection. */
    protected final NetClosedException closedException(String op) {
        return new NetClosedException(op, describe());
    }

    private NetClosedException writeShutdownException() {
        return new NetClosedException("write", describe(), "write side closed by closeWrite");
    }

    private IOException failure(String op, PollStatus status, long bytesTransferred) {
        if (status == PollStatus.FAILED) {
            return pollerFailed(op, poll, describe());
        }
        InterruptedIOException failure = switch (status) {
            case CLOSED, FAILED -> null;
            case TIMED_OUT -> new DeadlineExceededException(op + " " + describe() + ": i/o timeout");
            case INTERRUPTED -> new InterruptedIOException(op + " " + describe() + ": interrupted");
            case READY -> throw new AssertionError("READY is not a failure");
        };
        if (failure == null) {
            return closedException(op);
        }
        failure.bytesTransferred = (int) Math.min(Integer.MAX_VALUE, bytesTransferred);
        return failure;
    }

    /**
     * The error for {@code op} on a descriptor whose poller died ({@link PollStatus#FAILED}):
     * names the operation and {@code where}, with the poller's error as the cause.
     */
    public static PollerFailedException pollerFailed(String op, PollDescriptor poll, String where) {
        Throwable cause = poll.failure();
        return new PollerFailedException(op + " " + where + ": poller failed: " + cause, cause);
    }

    private void lock(CallLock lock, String op) throws IOException {
        boolean locked;
        try {
            locked = lock.lock();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(op, PollStatus.INTERRUPTED, 0);
        }
        if (!locked) {
            throw closedException(op);
        }
    }

    private void ensureOpen(String op) throws NetClosedException {
        if (poll.isClosing()) {
            throw closedException(op);
        }
    }

    private void enter(String op) throws NetClosedException {
        if (!poll.acquire()) {
            throw closedException(op);
        }
    }

    private void leave() {
        if (poll.release()) {
            try {
                closeHandleAsync();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "closing " + describe() + " after its last call failed", e);
            }
        }
    }

    private static boolean hasRemaining(ByteBuffer[] buffers, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (buffers[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + describe() + (isOpen() ? "" : ", closed") + "]";
    }
}

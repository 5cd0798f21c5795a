package io.weft.netpoll.spi;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.netpoll.Listener;
import io.weft.netpoll.NetClosedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Objects;

/**
 * Go's accept loop ({@code internal/poll.FD.Accept}) written once for every poller backend: one
 * non-blocking {@link #tryAccept()}, and on "would block" a wait on the read slot of the
 * listener's {@link PollDescriptor} until a connection arrives, the accept deadline passes, the
 * listener is closed or the thread is interrupted.
 *
 * <h2>Threads and locks</h2>
 * Any thread may call any method. Acceptors are serialized by {@code acceptLock}, so one waits on
 * the descriptor and the others on the lock; {@link #close()} wakes the waiting one and releases
 * the queued ones at once (a {@link CallLock}). The socket is closed ({@link #closeHandle()})
 * by whichever thread ends the last call in flight after close.
 */
public abstract class PollListener implements Listener {
    private static final System.Logger LOG = System.getLogger(PollListener.class.getName());
    /**
     * Loads the temporary-error class with the listener: it is thrown exactly when no file
     * descriptor is left, and loading it then from a class directory would fail too.
     */
    private static final Class<?> TEMPORARY_ERROR = io.weft.netpoll.TemporaryAcceptException.class;

    /** The listener's poll descriptor; the poller signals acceptable connections as readable. */
    protected final PollDescriptor poll;
    private final String network;
    private final CallLock acceptLock = new CallLock();

    /**
     * Creates the listener around a bound, listening, non-blocking socket registered with its poller.
     *
     * @param network the network name used in error messages
     * @param poll the descriptor the poller notifies for this socket
     */
    protected PollListener(String network, PollDescriptor poll) {
        this.network = Objects.requireNonNull(network, "network");
        this.poll = Objects.requireNonNull(poll, "poll");
    }

    /**
     * One non-blocking accept; called under the accept lock while the handle is open. Retries
     * {@code EINTR} and {@code ECONNABORTED} itself.
     *
     * @return the accepted connection, non-blocking, close-on-exec and registered with a poller,
     *     or {@code null} when none is pending
     */
    protected abstract Conn tryAccept() throws IOException;

    /** Called after an accept would block and before waiting; arms one-shot interest if needed. */
    protected void armAccept() throws IOException {}

    /** Deregisters and closes the listening socket; called exactly once, when nothing is in flight. */
    protected abstract void closeHandle() throws IOException;

    @Override
    public Conn accept() throws IOException {
        boolean locked;
        try {
            locked = acceptLock.lock();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("accept " + describe() + ": interrupted");
        }
        if (!locked) {
            throw closedException("accept");
        }
        try {
            if (!poll.acquire()) {
                throw closedException("accept");
            }
            try {
                PollStatus status = poll.prepareRead();
                while (status == PollStatus.READY) {
                    Conn conn = tryAccept();
                    if (conn != null) {
                        return conn;
                    }
                    armAccept();
                    status = poll.awaitRead();
                }
                throw switch (status) {
                    case TIMED_OUT -> new DeadlineExceededException("accept " + describe() + ": i/o timeout");
                    case INTERRUPTED -> new InterruptedIOException("accept " + describe() + ": interrupted");
                    case FAILED -> PollConn.pollerFailed("accept", poll, describe());
                    case CLOSED, READY -> closedException("accept");
                };
            } finally {
                if (poll.release()) {
                    closeQuietly();
                }
            }
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    public void setDeadline(Instant deadline) throws IOException {
        if (poll.isClosing()) {
            throw closedException("set");
        }
        poll.setReadDeadline(PollDescriptor.deadlineNanos(deadline));
    }

    /** Stops listening and wakes every blocked acceptor with {@link NetClosedException}. Idempotent. */
    @Override
    public void close() throws IOException {
        boolean idle = poll.close();
        acceptLock.close();
        if (idle) {
            closeHandle();
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return poll.isClosing();
    }

    /** The network name given at construction. */
    public final String network() {
        return network;
    }

    /** Go's description for messages: {@code "tcp 127.0.0.1:5000"}. */
    protected String describe() {
        return Addresses.describe(network, address(), null);
    }

    /** The closed error for {@code op} on this listener. */
    protected final NetClosedException closedException(String op) {
        return new NetClosedException(op, describe());
    }

    private void closeQuietly() {
        try {
            closeHandle();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "closing " + describe() + " after its last call failed", e);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + describe() + (isClosed() ? ", closed" : "") + "]";
    }
}

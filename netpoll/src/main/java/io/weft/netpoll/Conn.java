package io.weft.netpoll;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.time.Instant;

/**
 * A full-duplex, ordered byte connection with Go's {@code net.Conn} semantics.
 *
 * <p>Implemented by TCP and unix-domain connections from {@link Net} and by yamux streams, so
 * nothing here is specific to sockets.
 *
 * <h2>Blocking and deadlines</h2>
 * Every I/O method blocks the calling thread (virtual or platform) until it can make progress,
 * its deadline passes, the connection is closed, or the thread is interrupted. There are no
 * deadlines by default. A deadline is an absolute point in time that applies to pending and
 * future calls alike: setting it while a call is blocked wakes or extends that call, a deadline
 * in the past fails calls at once with {@link DeadlineExceededException}, and the connection
 * stays usable after a timeout once the deadline is moved. {@code null} clears a deadline.
 *
 * <h2>Threads</h2>
 * All methods may be called from any thread. One read and one write may be in progress at the
 * same time; concurrent reads (or concurrent writes) are serialized. {@link #close()} and the
 * deadline setters may be called at any time from any thread, including while other threads
 * are blocked in this connection. Interrupting a blocked thread ends its call with
 * {@link java.io.InterruptedIOException} (the interrupt flag stays set) and leaves the
 * connection open.
 *
 * <h2>Errors</h2>
 * Failures are typed {@link IOException}s whose messages name the operation and, for sockets,
 * the addresses (Go's wording): {@link DeadlineExceededException} when a deadline passes, {@link
 * java.io.InterruptedIOException} when the thread is interrupted, a closed error after {@link
 * #close()} ({@link NetClosedException} for sockets and {@link Net#pipe()}), {@link
 * ConnectionResetException} when a socket's peer aborts. End of stream is a return value, -1.
 */
public interface Conn extends ByteChannel, ScatteringByteChannel, GatheringByteChannel {

    /**
     * Reads up to {@code dst.remaining()} bytes, blocking until at least one byte is available.
     *
     * @return the number of bytes read, 0 only when {@code dst} has no space remaining, or
     *     {@code -1} at end of stream (the peer's clean half-close)
     * @throws DeadlineExceededException if the read deadline passes first
     * @throws IOException if the connection is closed or fails; the exception says which
     */
    @Override
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes <em>all</em> remaining bytes of {@code src}, blocking as needed (Go's {@code Write}
     * contract: a short write is always an error).
     *
     * @return the number of bytes written, always the number that was remaining
     * @throws DeadlineExceededException if the write deadline passes first; {@link
     *     DeadlineExceededException#bytesTransferred} tells how many bytes were written before
     * @throws IOException if the connection is closed or fails
     */
    @Override
    int write(ByteBuffer src) throws IOException;

    /** Writes all remaining bytes of all buffers, in order, with the contract of {@link #write(ByteBuffer)}. */
    @Override
    default long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    /** Reads into the buffers in order, blocking until at least one byte is available; -1 at EOF. */
    @Override
    default long read(ByteBuffer[] dsts) throws IOException {
        return read(dsts, 0, dsts.length);
    }

    /**
     * Half-closes the write side: the peer reads end of stream after the bytes already
     * written. Reading continues. Idempotent.
     */
    void closeWrite() throws IOException;

    /**
     * Shuts down the read side: blocked and later reads return end of stream ({@code -1}).
     * Idempotent.
     */
    void closeRead() throws IOException;

    /**
     * Closes the connection. Wakes every blocked reader and writer at once with a closed
     * error; later calls fail with that error. Idempotent and safe from any thread.
     */
    @Override
    void close() throws IOException;

    /** The local address, or {@code null} when the connection has none (an in-memory pipe). */
    SocketAddress localAddress();

    /** The remote address, or {@code null} when the connection has none. */
    SocketAddress remoteAddress();

    /** Sets both the read and the write deadline; {@code null} clears them. */
    default void setDeadline(Instant deadline) throws IOException {
        setReadDeadline(deadline);
        setWriteDeadline(deadline);
    }

    /** Sets the deadline for pending and future reads; {@code null} clears it. */
    void setReadDeadline(Instant deadline) throws IOException;

    /** Sets the deadline for pending and future writes; {@code null} clears it. */
    void setWriteDeadline(Instant deadline) throws IOException;

    /**
     * A blocking {@link InputStream} view of this connection. The same object is returned on
     * every call; closing it closes the connection.
     */
    InputStream inputStream();

    /**
     * A blocking {@link OutputStream} view of this connection. The same object is returned on
     * every call; closing it closes the connection; {@code flush} does nothing (writes are not
     * buffered).
     */
    OutputStream outputStream();
}

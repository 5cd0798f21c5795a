package io.weft.yamux;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * One yamux stream: a {@link Conn} multiplexed over a {@link Session}, with its own flow
 * control, deadlines and half-close.
 *
 * <h2>Closing</h2>
 * <ul>
 * <li>{@link #closeWrite()} sends FIN (half-close): the peer reads end of stream after our data,
 *     and we keep reading.</li>
 * <li>{@link #closeRead()} is local: later inbound data is discarded and its credit returned.</li>
 * <li>{@link #close()} does both; the stream is freed when the peer's FIN arrives, or reset after
 *     {@link YamuxConfig#streamCloseTimeout()}.</li>
 * <li>{@link #reset()} / {@link #reset(int)} send RST: both directions end at once.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Thread-safe with the {@link Conn} rules: one read and one write may run at once; close, reset
 * and the deadline setters may be called from any thread at any time and wake blocked calls.
 * Reads throw {@link StreamResetException} after a reset, the session's failure after it fails,
 * and {@link DeadlineExceededException} at the read deadline.
 */
public final class Stream implements Conn {

    private Stream() {
    }

    /** This stream's id: odd when the client opened it, even when the server did. */
    public int id() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The session this stream belongs to. */
    public Session session() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Reads buffered or arriving data, returning its credit to the peer as it is consumed.
     *
     * @return bytes read, or -1 after the peer's FIN once all data is read (or after {@link #closeRead()})
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Scattering form of {@link #read(ByteBuffer)}. */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Writes all bytes, in frames of at most {@link YamuxConfig#maxDataFrameBytes()}, waiting for
     * window as needed.
     *
     * @throws StreamClosedException after {@link #closeWrite()} or {@link #close()}
     * @throws StreamResetException after a reset
     * @throws DeadlineExceededException at the write deadline, with the bytes written so far
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Gathering form of {@link #write(ByteBuffer)}. */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Sends FIN once; we can still read. Idempotent. */
    @Override
    public void closeWrite() throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Stops reading: blocked and later reads return -1; later inbound data is discarded and credited. Idempotent. */
    @Override
    public void closeRead() throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Closes both directions (FIN plus {@link #closeRead()}); blocked calls are released. Idempotent. */
    @Override
    public void close() throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Resets the stream with code 0. */
    public void reset() throws IOException {
        reset(0);
    }

    /**
     * Resets the stream: sends {@code WindowUpdate|RST} carrying {@code errorCode} in its length
     * field, drops buffered data, and fails blocked and later calls with {@link StreamResetException}.
     * No effect on a stream already reset or fully closed.
     */
    public void reset(int errorCode) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Whether {@link #close()} or a reset has not happened yet. */
    @Override
    public boolean isOpen() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The session connection's local address, or {@code null}. */
    @Override
    public SocketAddress localAddress() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The session connection's remote address, or {@code null}. */
    @Override
    public SocketAddress remoteAddress() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Sets the read deadline; applies to a read already blocked. {@code null} clears it. */
    @Override
    public void setReadDeadline(Instant deadline) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Sets the write deadline (it bounds the wait for window); applies to a write already blocked. */
    @Override
    public void setWriteDeadline(Instant deadline) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** An {@link InputStream} view; the same object each time; closing it closes the stream. */
    @Override
    public InputStream inputStream() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** An {@link OutputStream} view; the same object each time; closing it closes the stream. */
    @Override
    public OutputStream outputStream() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    @Override
    public String toString() {
        return "Stream[" + Integer.toUnsignedString(id()) + "]";
    }
}

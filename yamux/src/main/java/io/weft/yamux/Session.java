package io.weft.yamux;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A yamux session: many {@link Stream}s multiplexed over one reliable, ordered connection,
 * wire-compatible with hashicorp/yamux.
 *
 * <p>Create one end with {@link #client} and the other with {@link #server}; they differ only in
 * stream ids (client odd, server even). Both ends may open and accept streams.
 *
 * <h2>Threads</h2>
 * All methods are thread-safe. Each session owns one reader thread (from
 * {@link YamuxConfig#threadFactory()}, virtual by default) and shares a timer for keepalive and
 * timeouts; there is no thread per stream or ping. The reader never runs user code and never
 * blocks on a write. Writers put frames on the wire themselves.
 *
 * <h2>Failure</h2>
 * The first failure (transport error, protocol error, keepalive timeout, write timeout, or the
 * peer's GoAway with an error code) is kept and reported to every blocked and later call on the
 * session and its streams, within 100 ms. End of stream on a stream only ever means the peer's
 * FIN.
 */
public final class Session implements AutoCloseable {

    private Session() {
    }

    /** Starts the client end of a session over {@code conn} with the default configuration. */
    public static Session client(Conn conn) {
        return client(conn, YamuxConfig.defaults());
    }

    /** Starts the server end of a session over {@code conn} with the default configuration. */
    public static Session server(Conn conn) {
        return server(conn, YamuxConfig.defaults());
    }

    /**
     * Starts the client end (odd stream ids) of a session over {@code conn}. The session owns the
     * connection from now on and closes it when it ends.
     */
    public static Session client(Conn conn, YamuxConfig config) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Starts the server end (even stream ids) of a session over {@code conn}; see {@link #client(Conn, YamuxConfig)}. */
    public static Session server(Conn conn, YamuxConfig config) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Starts the client end over any byte channel, such as a JDK {@code SocketChannel} in
     * blocking mode or a TLS socket's channel. Reads and writes may happen concurrently on it.
     * Connection write timeouts are enforced by closing the channel.
     */
    public static Session client(ByteChannel channel, YamuxConfig config) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Starts the server end over any byte channel; see {@link #client(ByteChannel, YamuxConfig)}. */
    public static Session server(ByteChannel channel, YamuxConfig config) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Starts the client end over a stream pair, such as a process's stdin and stdout. Closing
     * the session closes both.
     */
    public static Session client(InputStream in, OutputStream out, YamuxConfig config) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Starts the server end over a stream pair; see {@link #client(InputStream, OutputStream, YamuxConfig)}. */
    public static Session server(InputStream in, OutputStream out, YamuxConfig config) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Whether this is the client end (odd stream ids). */
    public boolean isClient() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Opens a stream, waiting at most {@link YamuxConfig#streamOpenTimeout()} for an un-ACKed
     * slot. Never waits for the peer's ACK: the SYN goes out at once and data may follow.
     *
     * @throws RemoteGoAwayException if the peer sent GoAway
     * @throws StreamsExhaustedException if no stream id is left
     * @throws DeadlineExceededException if no un-ACKed slot freed up in time
     * @throws SessionClosedException or the session's failure type, if the session is closed
     */
    public Stream openStream() throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** As {@link #openStream()}, waiting at most {@code timeout} for an un-ACKed slot. */
    public Stream openStream(Duration timeout) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Waits for the next inbound stream and ACKs it (with any extra window).
     *
     * @throws SessionClosedException or the session's failure type, once the session is closed
     *     and no accepted stream is left in the backlog
     */
    public Stream acceptStream() throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * As {@link #acceptStream()}, waiting at most {@code timeout}.
     *
     * @throws DeadlineExceededException if no stream arrived in time
     */
    public Stream acceptStream(Duration timeout) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Sends a ping and waits for the reply, at most {@link YamuxConfig#connectionWriteTimeout()}.
     *
     * @return the round-trip time
     * @throws KeepAliveTimeoutException if no reply came in time (the session stays up)
     */
    public Duration ping() throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The smoothed round-trip time from pings and keepalives, {@link Duration#ZERO} before the first reply. */
    public Duration rtt() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Graceful shutdown: sends GoAway(0), refuses new inbound streams with RST, lets open streams
     * finish, and closes the session when the last one ends or after
     * {@link YamuxConfig#goAwayDrainTimeout()}. Returns at once; idempotent.
     */
    public void goAway() throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Closes the session now: every stream is closed, every blocked call is released with
     * {@link SessionClosedException}, and the connection is closed. Frames already handed to the
     * transport are sent; nothing is flushed after that. Idempotent.
     */
    @Override
    public void close() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Whether the session has closed or failed. */
    public boolean isClosed() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * A future completed when the session ends, with the exception later calls get: a
     * {@link SessionClosedException} after a clean close, or the failure's type (for example
     * {@link KeepAliveTimeoutException}). It never completes exceptionally. Each call returns a
     * new dependent future, so completing it has no effect on the session.
     */
    public CompletableFuture<IOException> closeFuture() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Waits until the session has ended and its reader thread has exited, at most {@code timeout}.
     *
     * @return whether the session ended in time
     */
    public boolean awaitClose(Duration timeout) throws InterruptedException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The first failure of the session, {@code null} while open or after a clean close. */
    public IOException closeCause() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Number of live streams (opened or accepted, or waiting in the accept backlog). */
    public int streamCount() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** A snapshot of the session's counters. */
    public SessionStats stats() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The connection's local address, or {@code null} when it has none. */
    public SocketAddress localAddress() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The connection's remote address, or {@code null} when it has none. */
    public SocketAddress remoteAddress() {
        throw new UnsupportedOperationException("not yet implemented");
    }
}

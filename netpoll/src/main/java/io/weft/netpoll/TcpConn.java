package io.weft.netpoll;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A TCP {@link Conn} with the socket options Go's {@code net.TCPConn} exposes. Connections that
 * {@link Net} returns for the networks "tcp", "tcp4" and "tcp6" implement it.
 *
 * <p>{@code TCP_NODELAY} is on by default, as in Go. The setters may be called from any thread;
 * they throw {@link NetClosedException} once the connection is closed.
 */
public interface TcpConn extends Conn {

    /** Enables or disables {@code TCP_NODELAY} (Nagle's algorithm off when {@code true}). */
    void setNoDelay(boolean noDelay) throws IOException;

    /** Enables or disables {@code SO_KEEPALIVE}. */
    void setKeepAlive(boolean keepAlive) throws IOException;

    /**
     * Sets the idle time before the first keep-alive probe and the interval between probes
     * ({@code TCP_KEEPIDLE} and {@code TCP_KEEPINTVL}), rounded up to whole seconds, and enables
     * keep-alive.
     *
     * @throws UnsupportedOperationException where the platform cannot set the period
     */
    void setKeepAlivePeriod(Duration period) throws IOException;

    /**
     * Sets what {@link #close()} does with unsent data, as Go's {@code SetLinger}: {@code seconds <
     * 0} (the default) sends it in the background; {@code 0} discards it and resets the connection
     * (the peer's next read fails with a connection reset, not end of stream), which is how a
     * proxy passes on a reset; {@code > 0} lingers in the background up to that many seconds.
     * Close itself never blocks, whatever the setting.
     */
    void setLinger(int seconds) throws IOException;

    /** Sets the socket's receive buffer size ({@code SO_RCVBUF}), a hint to the kernel. */
    void setReadBufferBytes(int bytes) throws IOException;

    /** Sets the socket's send buffer size ({@code SO_SNDBUF}), a hint to the kernel. */
    void setWriteBufferBytes(int bytes) throws IOException;

    /**
     * Limits how many written bytes the kernel may hold unsent for this connection ({@code
     * TCP_NOTSENT_LOWAT}; Linux only). Once more than {@code bytes} are queued but not yet sent,
     * the socket stops accepting writes (a {@link #write} waits, as on a full socket buffer)
     * until the unsent bytes fall below half the limit; bytes sent and awaiting acknowledgement do not
     * count. Data an application still holds can be reordered (a multiplexer can put a small
     * frame ahead of a bulk one); data in the socket buffer cannot, so a limit keeps latency
     * low beside bulk transfers at the cost of more write wake-ups. Throughput is unaffected as
     * long as the limit covers what the connection sends during one wake-up of the writer.
     *
     * <p>Default: not set, so the system-wide {@code net.ipv4.tcp_notsent_lowat} applies
     * (unlimited unless an administrator changed it). {@code 0} removes a limit set before.
     * Where the option does not exist (this implementation's default: platforms other than
     * Linux, and the portable nio backend, as the JDK has no such socket option) nothing
     * changes and the method returns {@code false}. Any thread.
     *
     * @param bytes the limit in bytes, {@code > 0}, or {@code 0} for none
     * @return {@code true} if the limit is now in effect, {@code false} if this connection
     *     cannot set it
     * @throws IllegalArgumentException if {@code bytes < 0}
     * @throws NetClosedException if the connection is closed
     */
    default boolean setNotSentLowWaterBytes(int bytes) throws IOException {
        if (bytes < 0) {
            throw new IllegalArgumentException("not-sent low-water mark must not be negative: " + bytes);
        }
        return false;
    }

    /**
     * The limit set with {@link #setNotSentLowWaterBytes}, in bytes: {@code 0} when none is set
     * on this connection (the system-wide default applies) or the connection cannot set one.
     *
     * @throws NetClosedException if the connection is closed
     */
    default int notSentLowWaterBytes() throws IOException {
        return 0;
    }

    /**
     * The smallest round-trip time the kernel has measured on this connection (Linux {@code
     * TCP_INFO}'s {@code tcpi_min_rtt}, a minimum over the last five minutes by default), in
     * microsecond resolution: the path's own delay, taken from the acknowledgements of segments
     * this side sent, so bytes queued in either end's socket buffers or application do not
     * inflate it, as they do a ping's round trip. A multiplexer sizes windows from it.
     *
     * <p>Default: {@link Duration#ZERO}, meaning not known: where the platform does not say
     * (this default; the portable nio backend, as the JDK offers no {@code TCP_INFO}) or before
     * the kernel has a sample. Any thread; one system call.
     *
     * @throws NetClosedException if the connection is closed (both of Weft's backends check; this
     *     default reads nothing and does not)
     */
    default Duration minRtt() throws IOException {
        return Duration.ZERO;
    }

    /** The local address; never {@code null} for TCP. */
    @Override
    InetSocketAddress localAddress();

    /** The remote address; never {@code null} for TCP. */
    @Override
    InetSocketAddress remoteAddress();
}

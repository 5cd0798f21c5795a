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

    /** The local address; never {@code null} for TCP. */
    @Override
    InetSocketAddress localAddress();

    /** The remote address; never {@code null} for TCP. */
    @Override
    InetSocketAddress remoteAddress();
}

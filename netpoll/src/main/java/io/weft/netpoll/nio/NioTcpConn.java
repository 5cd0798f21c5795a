package io.weft.netpoll.nio;

import io.weft.netpoll.TcpConn;
import io.weft.netpoll.spi.PollDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;

/** A TCP {@link NioConn} with Go's {@code TCPConn} options. Threads: see {@link io.weft.netpoll.spi.PollConn}. */
final class NioTcpConn extends NioConn implements TcpConn {

    NioTcpConn(String network, SocketChannel channel, NioPoller poller, SelectionKey key, PollDescriptor poll)
            throws IOException {
        super(network, channel, poller, key, poll);
    }

    @Override
    public void setNoDelay(boolean noDelay) throws IOException {
        set(StandardSocketOptions.TCP_NODELAY, noDelay);
    }

    @Override
    public void setKeepAlive(boolean keepAlive) throws IOException {
        set(StandardSocketOptions.SO_KEEPALIVE, keepAlive);
    }

    @Override
    public void setKeepAlivePeriod(Duration period) throws IOException {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("keep-alive period must be positive: " + period);
        }
        if (!channel.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE)
                || !channel.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPINTERVAL)) {
            throw new UnsupportedOperationException("this platform cannot set the TCP keep-alive period");
        }
        long seconds = Math.max(1, period.toSeconds() + (period.toNanosPart() > 0 ? 1 : 0));
        int clamped = (int) Math.min(Integer.MAX_VALUE, seconds);
        set(StandardSocketOptions.SO_KEEPALIVE, true);
        set(ExtendedSocketOptions.TCP_KEEPIDLE, clamped);
        set(ExtendedSocketOptions.TCP_KEEPINTERVAL, clamped);
    }

    @Override
    public void setReadBufferBytes(int bytes) throws IOException {
        set(StandardSocketOptions.SO_RCVBUF, bytes);
    }

    @Override
    public void setWriteBufferBytes(int bytes) throws IOException {
        set(StandardSocketOptions.SO_SNDBUF, bytes);
    }

    /**
     * Not available here: the JDK's sockets offer no {@code TCP_NOTSENT_LOWAT} (neither {@code
     * StandardSocketOptions} nor {@code jdk.net.ExtendedSocketOptions}), so nothing changes.
     *
     * @return {@code false}
     */
    @Override
    public boolean setNotSentLowWaterBytes(int bytes) throws IOException {
        if (bytes < 0) {
            throw new IllegalArgumentException("not-sent low-water mark must not be negative: " + bytes);
        }
        if (!isOpen()) {
            throw closedException("set");
        }
        return false;
    }

    /** Always {@code 0}: see {@link #setNotSentLowWaterBytes}. */
    @Override
    public int notSentLowWaterBytes() throws IOException {
        if (!isOpen()) {
            throw closedException("get");
        }
        return 0;
    }

    /** Always {@link Duration#ZERO}: the JDK's sockets offer no {@code TCP_INFO}. */
    @Override
    public Duration minRtt() throws IOException {
        if (!isOpen()) {
            throw closedException("get");
        }
        return Duration.ZERO;
    }

    @Override
    public void setLinger(int seconds) throws IOException {
        // the socket is non-blocking, so even a positive linger never blocks close (as in Go)
        set(StandardSocketOptions.SO_LINGER, Math.max(-1, seconds));
    }

    /** Reads a socket option; for tests and diagnostics. */
    <T> T option(SocketOption<T> option) throws IOException {
        try {
            return channel.getOption(option);
        } catch (ClosedChannelException e) {
            throw closedException("get");
        }
    }

    private <T> void set(SocketOption<T> option, T value) throws IOException {
        if (!isOpen()) {
            throw closedException("set");
        }
        try {
            channel.setOption(option, value);
        } catch (ClosedChannelException e) {
            throw closedException("set");
        } catch (IOException e) {
            throw translate("set", e);
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }
}

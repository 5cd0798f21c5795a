package io.weft.netpoll.epoll;

import io.weft.netpoll.TcpConn;
import io.weft.netpoll.spi.PollDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A TCP connection on the epoll backend: {@link EpollConn} plus the socket options of {@link
 * TcpConn}, set with {@code setsockopt} on the raw fd.
 *
 * <p>Each option call registers itself in flight on the poll descriptor, so it fails with the
 * closed error after {@link #close()} and never touches an fd number the kernel may have reused.
 * Threads: any.
 */
final class EpollTcpConn extends EpollConn implements TcpConn {
    /** The kernel's limit for {@code TCP_KEEPIDLE} and {@code TCP_KEEPINTVL}. */
    private static final int MAX_KEEPALIVE_SECONDS = 32767;

    EpollTcpConn(String network, PollDescriptor poll, int fd, EpollPoller poller, long tag,
            InetSocketAddress localAddress, InetSocketAddress remoteAddress) {
        super(network, poll, fd, poller, tag, localAddress, remoteAddress);
    }

    @Override
    public void setNoDelay(boolean noDelay) throws IOException {
        setOption(LibC.IPPROTO_TCP, LibC.TCP_NODELAY, noDelay ? 1 : 0, "TCP_NODELAY");
    }

    @Override
    public void setKeepAlive(boolean keepAlive) throws IOException {
        setOption(LibC.SOL_SOCKET, LibC.SO_KEEPALIVE, keepAlive ? 1 : 0, "SO_KEEPALIVE");
    }

    @Override
    public void setKeepAlivePeriod(Duration period) throws IOException {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("keep-alive period must be positive: " + period);
        }
        long ceilSeconds = period.toSeconds() + (period.getNano() > 0 ? 1 : 0);
        int roundedSeconds = (int) Math.min(ceilSeconds, MAX_KEEPALIVE_SECONDS);
        setOption(LibC.SOL_SOCKET, LibC.SO_KEEPALIVE, 1, "SO_KEEPALIVE");
        setOption(LibC.IPPROTO_TCP, LibC.TCP_KEEPIDLE, roundedSeconds, "TCP_KEEPIDLE");
        setOption(LibC.IPPROTO_TCP, LibC.TCP_KEEPINTVL, roundedSeconds, "TCP_KEEPINTVL");
    }

    @Override
    public void setReadBufferBytes(int bytes) throws IOException {
        checkPositive(bytes);
        setOption(LibC.SOL_SOCKET, LibC.SO_RCVBUF, bytes, "SO_RCVBUF");
    }

    @Override
    public void setWriteBufferBytes(int bytes) throws IOException {
        checkPositive(bytes);
        setOption(LibC.SOL_SOCKET, LibC.SO_SNDBUF, bytes, "SO_SNDBUF");
    }

    /** Linux's {@code TCP_NOTSENT_LOWAT}; always supported here (kernel 3.12 and later). */
    @Override
    public boolean setNotSentLowWaterBytes(int bytes) throws IOException {
        if (bytes < 0) {
            throw new IllegalArgumentException("not-sent low-water mark must not be negative: " + bytes);
        }
        setOption(LibC.IPPROTO_TCP, LibC.TCP_NOTSENT_LOWAT, bytes, "TCP_NOTSENT_LOWAT");
        return true;
    }

    @Override
    public int notSentLowWaterBytes() throws IOException {
        return option(LibC.IPPROTO_TCP, LibC.TCP_NOTSENT_LOWAT, "TCP_NOTSENT_LOWAT");
    }

    /** {@code TCP_INFO}'s {@code tcpi_min_rtt}; {@link Duration#ZERO} on kernels before 4.6. */
    @Override
    public Duration minRtt() throws IOException {
        if (!poll.acquire()) {
            throw closedException("get");
        }
        try {
            return Duration.ofNanos(Sockets.tcpMinRttMicros(fd) * 1000L);
        } finally {
            releaseCall();
        }
    }

    @Override
    public void setLinger(int seconds) throws IOException {
        if (!poll.acquire()) {
            throw closedException("set");
        }
        try {
            Sockets.setLinger(fd, seconds);
        } finally {
            releaseCall();
        }
    }

    /** Reads an {@code int} socket option; for tests and diagnostics. */
    int option(int level, int option, String optionName) throws IOException {
        if (!poll.acquire()) {
            throw closedException("get");
        }
        try {
            return Sockets.getInt(fd, level, option, optionName);
        } finally {
            releaseCall();
        }
    }

    private void setOption(int level, int option, int value, String optionName) throws IOException {
        if (!poll.acquire()) {
            throw closedException("set");
        }
        try {
            Sockets.setInt(fd, level, option, value, optionName + " on " + describe());
        } finally {
            releaseCall();
        }
    }

    private void releaseCall() {
        if (poll.release()) {
            closeHandle();
        }
    }

    private static void checkPositive(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("buffer size must be positive: " + bytes);
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

package io.weft.netpoll.spi;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * A poller backend: makes listeners and connections whose readiness its poller thread(s) deliver.
 * Found with {@link java.util.ServiceLoader} (the built-in java.nio backend is not); {@code
 * io.weft.netpoll.Net} picks one as described in {@code docs/netpoll.md}.
 *
 * <p>Implementations must be thread-safe; their poller threads are daemon threads started on
 * first use.
 */
public interface Transport {

    /** The name {@code -Dweft.netpoll.poller} selects it by: "epoll", "nio". */
    String name();

    /**
     * Why this backend cannot run here (wrong OS, native access denied, ...), or {@code null}
     * when it can. Must be cheap after the first call and must not throw.
     */
    String unavailableReason();

    /**
     * Does the one-off work of a first listen or dial now, on the calling thread (the epoll
     * backend links its native calls, 0.1-0.2 s of a cold JVM), so that a program can do it off
     * its critical path; {@link io.weft.netpoll.Poller#prepareInBackground()} calls it on a
     * daemon thread for a backend that can run here. Optional and idempotent: the default does
     * nothing. Must not throw; a failure here shows again, and is reported, where the work is
     * needed.
     */
    default void prepare() {}

    /**
     * Opens a listening socket.
     *
     * @param network "tcp", "tcp4", "tcp6" or "unix"
     * @param address an {@link java.net.InetSocketAddress} with a resolved address (the wildcard
     *     when no host was given; its type picks IPv4 or IPv6) or a {@link
     *     java.net.UnixDomainSocketAddress}
     * @return the listener; for TCP its connections are {@link io.weft.netpoll.TcpConn}s with
     *     {@code TCP_NODELAY} on
     */
    Listener listen(String network, SocketAddress address) throws IOException;

    /**
     * Connects to one address.
     *
     * @param network "tcp", "tcp4", "tcp6" or "unix"
     * @param address a resolved {@link java.net.InetSocketAddress} or a {@link
     *     java.net.UnixDomainSocketAddress}
     * @param deadlineNanos when to give up, on {@link PollDescriptor#nanoTime()}, or {@link
     *     PollDescriptor#NO_DEADLINE}; a timeout is a {@link io.weft.netpoll.DeadlineExceededException}
     * @return the connection; a {@link io.weft.netpoll.TcpConn} with {@code TCP_NODELAY} on for TCP
     * @throws java.net.ConnectException when the peer refuses
     */
    Conn dial(String network, SocketAddress address, long deadlineNanos) throws IOException;
}

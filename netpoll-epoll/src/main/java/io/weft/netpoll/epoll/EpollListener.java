package io.weft.netpoll.epoll;

import io.weft.netpoll.Conn;
import io.weft.netpoll.TemporaryAcceptException;
import io.weft.netpoll.spi.PollDescriptor;
import io.weft.netpoll.spi.PollListener;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A listening socket on the epoll backend: Go's {@code FD.Accept} primitive as one {@code
 * accept4(SOCK_NONBLOCK | SOCK_CLOEXEC)}, with the accept loop, deadline and close protocol
 * inherited from {@link PollListener}.
 *
 * <p>TCP listeners set {@code SO_REUSEADDR} (as Go) and, for {@code "tcp"} on an IPv6 wildcard,
 * accept IPv4 too ({@code IPV6_V6ONLY} off; on for {@code "tcp6"}). A unix listener creates its
 * socket file and removes it when closed. Accepted TCP connections have {@code TCP_NODELAY} on.
 *
 * <p>Threads: see {@link PollListener}; {@link #closeHandle} runs once, on whichever thread
 * ends the last call after close, and {@link #close()} waits for it.
 */
final class EpollListener extends PollListener {
    private static final System.Logger LOG = System.getLogger(EpollListener.class.getName());
    private static final int BACKLOG = backlog();

    static {
        // Load the error path with the listener: accept4 fails with EMFILE exactly when no
        // descriptor is left to read a class file with (a class directory, not a jar, in tests).
        Errno.isTemporaryAcceptError(Errno.EMFILE);
        Errno.describe(Errno.EMFILE);
    }

    private final int fd;
    private final int family;
    private final EpollPoller poller;
    private final long tag;
    private final SocketAddress address;
    /** Opened when {@link #closeHandle} has finished: the socket is closed, its file removed. */
    private final CountDownLatch handleClosed = new CountDownLatch(1);

    private EpollListener(String network, PollDescriptor poll, int fd, int family, EpollPoller poller, long tag,
            SocketAddress address) {
        super(network, poll);
        this.fd = fd;
        this.family = family;
        this.poller = poller;
        this.tag = tag;
        this.address = address;
    }

    /** Binds, listens and registers a socket for {@code network} at {@code address}. */
    static EpollListener open(String network, SocketAddress address) throws IOException {
        int family = SockAddr.family(address);
        int fd = Sockets.open(family);
        boolean fileCreated = false;
        try {
            if (family != LibC.AF_UNIX) {
                Sockets.setInt(fd, LibC.SOL_SOCKET, LibC.SO_REUSEADDR, 1, "SO_REUSEADDR");
            }
            if (family == LibC.AF_INET6) {
                Sockets.setInt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_V6ONLY, network.equals("tcp6") ? 1 : 0, "IPV6_V6ONLY");
            }
            Sockets.bind(fd, family, address, network);
            fileCreated = true;
            Sockets.listen(fd, BACKLOG, address, network);
            SocketAddress bound = SockAddr.query(fd, false);
            PollDescriptor poll = new PollDescriptor();
            EpollPoller poller = PollerGroup.forFd(fd);
            long tag = poller.register(fd, poll);
            return new EpollListener(network, poll, fd, family, poller, tag, bound);
        } catch (IOException | RuntimeException e) {
            Sockets.closeQuietly(fd);
            if (fileCreated && address instanceof UnixDomainSocketAddress unix) {
                // bind created the socket file; a failed bind leaves someone else's file alone
                try {
                    Files.deleteIfExists(unix.getPath());
                } catch (IOException deleteFailure) {
                    e.addSuppressed(deleteFailure);
                }
            }
            throw e;
        }
    }

    @Override
    protected Conn tryAccept() throws IOException {
        MemorySegment peer = SockAddr.allocate();
        int[] peerLength = new int[1];
        while (true) {
            peerLength[0] = SockAddr.STORAGE_BYTES;
            int accepted = LibC.accept4(fd, peer, MemorySegment.ofArray(peerLength),
                    LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC);
            if (accepted >= 0) {
                return wrap(accepted, SockAddr.decode(peer, peerLength[0]));
            }
            if (accepted == -Errno.EAGAIN) {
                return null;
            }
            if (accepted == -Errno.ECONNABORTED) {
                continue; // aborted: that one left the queue; try the next
            }
            if (Errno.isTemporaryAcceptError(-accepted)) {
                throw new TemporaryAcceptException(describe(), Errno.describe(-accepted));
            }
            throw Errno.exception("accept", describe(), -accepted);
        }
    }

    private Conn wrap(int accepted, SocketAddress remote) throws IOException {
        try {
            if (family != LibC.AF_UNIX) {
                // As Go, ignore a failure: the peer may already have reset this connection, which
                // its first read will report; it must not fail the accept loop.
                LibC.setsockopt(accepted, LibC.IPPROTO_TCP, LibC.TCP_NODELAY,
                        MemorySegment.ofArray(new int[] {1}), Integer.BYTES);
            }
            SocketAddress local = SockAddr.query(accepted, false);
            PollDescriptor poll = new PollDescriptor();
            EpollPoller connPoller = PollerGroup.forFd(accepted);
            long connTag = connPoller.register(accepted, poll);
            return family == LibC.AF_UNIX
                    ? new EpollConn(network(), poll, accepted, connPoller, connTag, local, remote)
                    : new EpollTcpConn(network(), poll, accepted, connPoller, connTag,
                            (InetSocketAddress) local, (InetSocketAddress) remote);
        } catch (IOException | RuntimeException e) {
            Sockets.closeQuietly(accepted);
            throw e;
        }
    }

    /**
     * Stops listening and wakes every blocked acceptor; returns once the socket is really closed
     * (after a woken acceptor has left), so the port or socket file is free again, as after Go's
     * {@code Close}. Idempotent.
     */
    @Override
    public void close() throws IOException {
        super.close();
        boolean interrupted = false;
        while (true) {
            try {
                handleClosed.await(); // woken acceptors leave within microseconds: all I/O is non-blocking
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void closeHandle() {
        try {
            releaseSocket();
        } finally {
            handleClosed.countDown();
        }
    }

    private void releaseSocket() {
        poller.deregister(fd, tag);
        Sockets.closeQuietly(fd);
        if (address instanceof UnixDomainSocketAddress unix) {
            Path path = unix.getPath();
            String text = path.toString();
            if (!text.isEmpty() && !text.startsWith("@")) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, () -> "cannot remove unix socket file " + path, e);
                }
            }
        }
    }

    @Override
    public SocketAddress address() {
        return address;
    }

    /** Go's choice: the kernel's {@code somaxconn}, capped at 65535; 4096 if unreadable. */
    private static int backlog() {
        try {
            // Not Files.readString: it sizes its read by the file size, which /proc reports wrongly.
            List<String> lines = Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn"));
            int value = lines.isEmpty() ? 0 : Integer.parseInt(lines.get(0).strip());
            return value <= 0 ? 4096 : Math.min(value, 65535);
        } catch (IOException | NumberFormatException e) {
            return 4096;
        }
    }
}

package io.weft.netpoll.nio;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.netpoll.Listener;
import io.weft.netpoll.PollerFailedException;
import io.weft.netpoll.spi.Addresses;
import io.weft.netpoll.spi.PollConn;
import io.weft.netpoll.spi.PollDescriptor;
import io.weft.netpoll.spi.PollStatus;
import io.weft.netpoll.spi.Transport;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The portable backend: java.nio channels on {@link NioPoller} Selector threads, one per four
 * processors (at least one), started on first use; sockets are spread over them round-robin.
 * The poller threads are virtual where the JDK parks a virtual thread blocked in a selection
 * (Linux, JDK 25+), else platform; {@code weft.netpoll.nio.pollerThreads} ({@code virtual} or
 * {@code platform}) overrides. Thread-safe.
 */
public final class NioTransport implements Transport {
    /** Go asks for the kernel's maximum (somaxconn); the kernel caps this request at it. */
    private static final int LISTEN_BACKLOG = 65535;
    private final AtomicInteger nextPoller = new AtomicInteger();
    private final boolean virtualPollers;
    private volatile NioPoller[] pollers;

    /** Creates the backend; its poller threads start on first use. */
    public NioTransport() {
        this(NioPoller.virtualPollers());
    }

    /** Creates the backend with virtual or platform poller threads; for tests. */
    NioTransport(boolean virtualPollers) {
        this.virtualPollers = virtualPollers;
    }

    @Override
    public String name() {
        return "nio";
    }

    /** Always {@code null}: java.nio runs everywhere. */
    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Listener listen(String network, SocketAddress address) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open(family(network, address));
        try {
            if (address instanceof InetSocketAddress) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true); // as Go, for quick restarts
            }
            channel.bind(address, LISTEN_BACKLOG);
        } catch (IOException e) {
            channel.close();
            BindException failure = new BindException("listen " + network + " " + Addresses.format(address) + ": "
                    + e.getMessage());
            failure.initCause(e);
            throw failure;
        }
        NioPoller poller = nextPoller();
        PollDescriptor poll = new PollDescriptor();
        try {
            SelectionKey key = poller.register(channel, poll);
            return new NioListener(this, network, channel, poller, key, poll);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public Conn dial(String network, SocketAddress address, long deadlineNanos) throws IOException {
        String where = "dial " + network + " " + Addresses.format(address);
        if (deadlineNanos != PollDescriptor.NO_DEADLINE
                && (deadlineNanos == PollDescriptor.EXPIRED || deadlineNanos - PollDescriptor.nanoTime() <= 0)) {
            throw new DeadlineExceededException(where + ": i/o timeout");
        }
        SocketChannel channel = SocketChannel.open(family(network, address));
        NioPoller poller = nextPoller();
        PollDescriptor poll = new PollDescriptor();
        SelectionKey key = null;
        try {
            key = poller.register(channel, poll);
            if (!channel.connect(address)) {
                poll.setWriteDeadline(deadlineNanos);
                while (true) {
                    poller.arm(key, SelectionKey.OP_CONNECT);
                    PollStatus status = poll.awaitWrite();
                    if (status == PollStatus.TIMED_OUT) {
                        throw new DeadlineExceededException(where + ": i/o timeout");
                    }
                    if (status == PollStatus.FAILED) {
                        throw PollConn.pollerFailed("dial", poll, network + " " + Addresses.format(address));
                    }
                    if (status == PollStatus.INTERRUPTED) {
                        throw new InterruptedIOException(where + ": interrupted");
                    }
                    if (channel.finishConnect()) {
                        break;
                    }
                }
                poll.setWriteDeadline(PollDescriptor.NO_DEADLINE);
            }
            return wrap(network, channel, poller, key, poll);
        } catch (IOException | RuntimeException e) {
            IOException failure = dialFailure(where, e);
            try {
                if (key != null) {
                    poller.close(key, channel);
                } else {
                    channel.close();
                }
            } catch (IOException closeFailure) {
                failure.addSuppressed(closeFailure);
            }
            throw failure;
        }
    }

    /** Wraps a connection the listener accepted: non-blocking, registered, TCP_NODELAY on. */
    Conn adopt(String network, SocketChannel accepted) throws IOException {
        NioPoller poller = nextPoller();
        PollDescriptor poll = new PollDescriptor();
        try {
            SelectionKey key = poller.register(accepted, poll);
            return wrap(network, accepted, poller, key, poll);
        } catch (IOException | RuntimeException e) {
            accepted.close();
            throw e;
        }
    }

    private static Conn wrap(String network, SocketChannel channel, NioPoller poller, SelectionKey key,
            PollDescriptor poll) throws IOException {
        if (network.equals("unix")) {
            return new NioConn(network, channel, poller, key, poll);
        }
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new NioTcpConn(network, channel, poller, key, poll);
    }

    private static IOException dialFailure(String where, Exception e) {
        if (e instanceof InterruptedIOException || e instanceof RuntimeException || e instanceof PollerFailedException) {
            return e instanceof IOException io ? io : new IOException(where + ": " + e, e);
        }
        String reason = String.valueOf(e.getMessage());
        IOException failure;
        if (e instanceof ConnectException) {
            failure = new ConnectException(where + ": " + (reason.toLowerCase().contains("refused") ? "connection refused" : reason));
        } else if (e instanceof NoRouteToHostException) {
            failure = new NoRouteToHostException(where + ": " + reason);
        } else if (e instanceof SocketException) {
            failure = new SocketException(where + ": " + reason);
        } else {
            failure = new IOException(where + ": " + reason);
        }
        failure.initCause(e);
        return failure;
    }

    private static ProtocolFamily family(String network, SocketAddress address) {
        return switch (network) {
            case "unix" -> StandardProtocolFamily.UNIX;
            case "tcp4" -> StandardProtocolFamily.INET;
            case "tcp6" -> StandardProtocolFamily.INET6;
            default -> ((InetSocketAddress) address).getAddress() instanceof Inet4Address
                    ? StandardProtocolFamily.INET
                    : StandardProtocolFamily.INET6;
        };
    }

    private NioPoller nextPoller() {
        NioPoller[] all = pollers;
        if (all == null) {
            synchronized (this) { // a one-time, non-blocking initialisation
                all = pollers;
                if (all == null) {
                    int count = Math.max(1, Runtime.getRuntime().availableProcessors() / 4);
                    all = new NioPoller[count];
                    for (int i = 0; i < count; i++) {
                        all[i] = new NioPoller("weft-nio-poller-" + i, virtualPollers);
                    }
                    pollers = all;
                }
            }
        }
        return all[Math.floorMod(nextPoller.getAndIncrement(), all.length)];
    }
}

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
import java.io.UncheckedIOException;
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
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The portable backend: java.nio channels on {@link NioPoller} Selector threads, started on first
 * use. The poller threads are virtual where the JDK parks a virtual thread blocked in a selection
 * (Linux, JDK 25+), else platform; {@code weft.netpoll.nio.pollerThreads} ({@code virtual} or
 * {@code platform}) overrides. How many: {@link #pollerCount}. A new socket goes to the first
 * poller with fewer than {@link #SPREAD_AFTER_REGISTRATIONS} sockets, else to the one with the
 * fewest: a few connections share one poller (two pollers handing one request/response back
 * and forth each pay a wake-up), many are spread. Thread-safe.
 */
public final class NioTransport implements Transport {
    /** Go asks for the kernel's maximum (somaxconn); the kernel caps this request at it. */
    private static final int LISTEN_BACKLOG = 65535;
    /**
     * Sockets a poller takes before the next one is used: 16. Measured with 64 B ping-pong on two
     * cores (docs/benchmarks.md, "Issue 12, session 24"): two virtual pollers sharing 64 or 512
     * connections beat one by 13-17 %, but with one connection (its two ends in one process)
     * round-robin put the ends on different pollers and halved the rate.
     */
    static final int SPREAD_AFTER_REGISTRATIONS = 16;
    private final boolean virtualPollers;
    private final int pollerCount;
    /** The pollers, in order; empty until first use, then all of them (set under {@link #starting}). */
    private volatile NioPoller[] started = new NioPoller[0];
    /** Held while the pollers start, so they start once. */
    private final ReentrantLock starting = new ReentrantLock();

    /** Creates the backend; its poller threads start on first use. */
    public NioTransport() {
        this(NioPoller.virtualPollers());
    }

    /** Creates the backend with virtual or platform poller threads; for tests. */
    NioTransport(boolean virtualPollers) {
        this(virtualPollers, pollerCount(virtualPollers, Runtime.getRuntime().availableProcessors()));
    }

    /** Creates the backend with {@code pollerCount} poller threads of the given kind; for tests. */
    NioTransport(boolean virtualPollers, int pollerCount) {
        this.virtualPollers = virtualPollers;
        this.pollerCount = pollerCount;
    }

    /**
     * How many pollers: for virtual threads, which yield the carrier when idle, as many as the JDK
     * runs of its own read pollers, one per processor (rounded down to a power of two, at most
     * 32); for platform threads, which keep a core each, one per four processors (at least one;
     * the JDK also rounds its own platform pollers down to a power of two).
     */
    static int pollerCount(boolean virtualPollers, int processors) {
        return virtualPollers
                ? Math.min(Integer.highestOneBit(Math.max(1, processors)), 32)
                : Math.max(1, processors / 4);
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
        NioPoller poller = nextPoller(); // first: a failure here leaves no channel open
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
        PollDescriptor poll = new PollDescriptor();
        SelectionKey key = null;
        try {
            key = poller.register(channel, poll);
            return new NioListener(this, network, channel, poller, key, poll);
        } catch (IOException | RuntimeException e) {
            closeAfterFailure(poller, key, channel, e);
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
        NioPoller poller = nextPoller(); // first: a failure here leaves no channel open
        SocketChannel channel = SocketChannel.open(family(network, address));
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
            closeAfterFailure(poller, key, channel, failure);
            throw failure;
        }
    }

    /** Wraps a connection the listener accepted: non-blocking, registered, TCP_NODELAY on. */
    Conn adopt(String network, SocketChannel accepted) throws IOException {
        NioPoller poller = null;
        PollDescriptor poll = new PollDescriptor();
        SelectionKey key = null;
        try {
            poller = nextPoller();
            key = poller.register(accepted, poll);
            return wrap(network, accepted, poller, key, poll);
        } catch (IOException | RuntimeException e) {
            closeAfterFailure(poller, key, accepted, e);
            throw e;
        }
    }

    /**
     * Closes a channel whose set-up failed with {@code failure}: through its poller once
     * registered there (which counts it out), else directly; a close failure is added to it.
     */
    private static void closeAfterFailure(NioPoller poller, SelectionKey key, SelectableChannel channel,
            Exception failure) {
        try {
            if (key != null) {
                poller.close(key, channel);
            } else {
                channel.close();
            }
        } catch (IOException closeFailure) {
            failure.addSuppressed(closeFailure);
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

    /**
     * The poller for a new socket: the first holding fewer than {@link #SPREAD_AFTER_REGISTRATIONS},
     * else the one holding fewest. All {@link #pollerCount} start together on first use (a poller
     * started later would show as a descriptor leak to the contract tests' file-descriptor checks).
     *
     * @throws IOException if a poller's Selector cannot be opened
     */
    private NioPoller nextPoller() throws IOException {
        NioPoller[] all = started;
        if (all.length == 0) {
            all = startPollers();
        }
        NioPoller fewest = all[0];
        for (NioPoller poller : all) {
            int registrations = poller.registrations();
            if (registrations < SPREAD_AFTER_REGISTRATIONS) {
                return poller;
            }
            if (registrations < fewest.registrations()) {
                fewest = poller;
            }
        }
        return fewest;
    }

    /** Starts the pollers unless another thread did (opens Selectors, starts their threads). */
    private NioPoller[] startPollers() throws IOException {
        starting.lock();
        try {
            if (started.length == 0) {
                NioPoller[] all = new NioPoller[pollerCount];
                for (int i = 0; i < pollerCount; i++) {
                    all[i] = new NioPoller("weft-nio-poller-" + i, virtualPollers);
                }
                started = all;
            }
            return started;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            starting.unlock();
        }
    }

    /** Each poller's {@link NioPoller#registrations()}, in order (all 0 before first use); for tests. */
    int[] pollerRegistrations() {
        int[] counts = new int[pollerCount];
        NioPoller[] all = started;
        for (int i = 0; i < all.length; i++) {
            counts[i] = all[i].registrations();
        }
        return counts;
    }
}

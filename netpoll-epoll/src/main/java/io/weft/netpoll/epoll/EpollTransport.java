package io.weft.netpoll.epoll;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.netpoll.Listener;
import io.weft.netpoll.spi.Addresses;
import io.weft.netpoll.spi.PollConn;
import io.weft.netpoll.spi.PollDescriptor;
import io.weft.netpoll.spi.PollStatus;
import io.weft.netpoll.spi.Transport;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * The Linux epoll backend of Weft netpoll, reached through the Foreign Function and Memory API:
 * found by {@link java.util.ServiceLoader} ({@code META-INF/services} on the class path, {@code
 * provides} in {@code module-info} on the module path) and chosen by {@code io.weft.netpoll.Net}
 * on Linux when {@link #unavailableReason()} is {@code null}.
 *
 * <p>It needs Linux on x86-64 or aarch64, JDK 22 or newer, and native access for this code:
 * {@code --enable-native-access=ALL-UNNAMED} on the class path, {@code
 * --enable-native-access=io.weft.netpoll.epoll} on the module path, or {@code
 * Enable-Native-Access: ALL-UNNAMED} in an executable jar's manifest. Poller threads (daemon;
 * by default one per CPU, rounded down to a power of two; {@code -Dweft.netpoll.epoll.pollers=N}
 * to override) start on the first listen or dial.
 *
 * <p>Thread-safe; instances are stateless (the pollers are process-wide).
 */
public final class EpollTransport implements Transport {

    /** Creates the provider; cheap, starts nothing. Called by {@link java.util.ServiceLoader}. */
    public EpollTransport() {}

    private static final class Availability {
        static final String REASON = check();
    }

    /** Always {@code "epoll"}. */
    @Override
    public String name() {
        return "epoll";
    }

    /**
     * {@code null} when this backend can run here, else why not: not Linux, an unsupported
     * architecture, native access not enabled (with the flag to add), or the libc binding failing.
     * Computed once.
     */
    @Override
    public String unavailableReason() {
        return Availability.REASON;
    }

    private static String check() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "epoll needs Linux (this is " + os + ")";
        }
        String arch = System.getProperty("os.arch", "");
        if (!(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            return "the epoll binding supports x86-64 and aarch64, not " + arch;
        }
        if (Runtime.version().feature() < 22) {
            return "the epoll backend needs JDK 22 or newer (this is " + Runtime.version() + ")";
        }
        Module module = EpollTransport.class.getModule();
        if (!module.isNativeAccessEnabled()) {
            String flag = module.isNamed() ? module.getName() : "ALL-UNNAMED";
            return "native access is not enabled for " + (module.isNamed() ? "module " + module.getName() : "the class path")
                    + "; run java with --enable-native-access=" + flag;
        }
        try {
            String missing = Downcalls.firstMissingSymbol();
            if (missing != null) {
                return "libc has no " + missing + " (the epoll backend calls it)";
            }
            int result = LibC.close(-1);
            if (result != -Errno.EBADF) {
                return "errno capture through FFM does not work here (close(-1) gave " + result + ")";
            }
        } catch (RuntimeException | LinkageError e) {
            return "binding libc through FFM failed: " + e;
        }
        return null;
    }

    /**
     * Links every native call the backend makes (the availability check links only {@code
     * close}; the others are linked on first use otherwise), so that a first listen or dial does
     * not wait for it; see {@link Transport#prepare}. Does nothing when the backend cannot run
     * here; never throws.
     */
    @Override
    public void prepare() {
        if (unavailableReason() == null) {
            try {
                Downcalls.linkAll();
            } catch (RuntimeException | LinkageError e) {
                // the listen or dial that needs the failing call reports it
            }
        }
    }

    /** Opens a listener; see {@link Transport#listen}. */
    @Override
    public Listener listen(String network, SocketAddress address) throws IOException {
        return EpollListener.open(network, address);
    }

    /**
     * Connects with a non-blocking {@code connect}, then waits for the socket to become writable
     * (the poller's edge) and reads {@code SO_ERROR}, as Go's {@code netFD.connect}; see
     * {@link Transport#dial}. An interrupt ends the wait with {@link InterruptedIOException}.
     */
    @Override
    public Conn dial(String network, SocketAddress address, long deadlineNanos) throws IOException {
        if (deadlineNanos != PollDescriptor.NO_DEADLINE
                && (deadlineNanos == PollDescriptor.EXPIRED || deadlineNanos - PollDescriptor.nanoTime() <= 0)) {
            throw new DeadlineExceededException("dial " + network + " " + Addresses.format(address) + ": i/o timeout");
        }
        int family = SockAddr.family(address);
        int fd = Sockets.open(family);
        EpollPoller poller = null;
        long tag = 0;
        try {
            if (family != LibC.AF_UNIX) {
                Sockets.setInt(fd, LibC.IPPROTO_TCP, LibC.TCP_NODELAY, 1, "TCP_NODELAY");
            }
            boolean connected = Sockets.startConnect(fd, family, address, network);
            PollDescriptor poll = new PollDescriptor();
            EpollPoller owner = PollerGroup.forFd(fd);
            tag = owner.register(fd, poll);
            poller = owner;
            if (!connected) {
                awaitConnected(fd, poll, network, address, deadlineNanos);
            }
            SocketAddress local = SockAddr.query(fd, false);
            SocketAddress remote = family == LibC.AF_UNIX ? address : SockAddr.query(fd, true);
            return family == LibC.AF_UNIX
                    ? new EpollConn(network, poll, fd, owner, tag, local, remote)
                    : new EpollTcpConn(network, poll, fd, owner, tag, (InetSocketAddress) local,
                            (InetSocketAddress) remote);
        } catch (IOException | RuntimeException e) {
            if (poller != null) {
                poller.deregister(fd, tag);
            }
            Sockets.closeQuietly(fd);
            throw e;
        }
    }

    private static void awaitConnected(int fd, PollDescriptor poll, String network, SocketAddress address,
            long deadlineNanos) throws IOException {
        String where = network + " " + Addresses.format(address);
        poll.setWriteDeadline(deadlineNanos);
        while (true) {
            PollStatus status = poll.awaitWrite();
            switch (status) {
                case TIMED_OUT -> throw new DeadlineExceededException("dial " + where + ": i/o timeout");
                case INTERRUPTED -> throw new InterruptedIOException("dial " + where + ": interrupted");
                case CLOSED -> throw new AssertionError("a dialing descriptor is never closed");
                case FAILED -> throw PollConn.pollerFailed("dial", poll, where);
                case READY -> {
                    int error = Sockets.soError(fd);
                    if (error == 0) {
                        if (LibC.getpeername(fd, SockAddr.allocate(),
                                MemorySegment.ofArray(new int[] {SockAddr.STORAGE_BYTES})) == 0) {
                            poll.setWriteDeadline(PollDescriptor.NO_DEADLINE);
                            return;
                        }
                        // Writable but not yet connected (spurious edge): wait for the next one.
                    } else if (error != Errno.EINPROGRESS && error != Errno.EALREADY && error != Errno.EINTR) {
                        throw Errno.exception("dial", where, error);
                    }
                }
            }
        }
    }
}

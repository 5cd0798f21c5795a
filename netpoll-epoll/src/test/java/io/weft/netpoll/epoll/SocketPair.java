package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

/** Two connected non-blocking sockets made with the raw syscalls, for tests of the layer below the poller. */
record SocketPair(int listenerFd, int clientFd, int serverFd, SocketAddress listenAddress) implements AutoCloseable {

    /** A loopback TCP pair. */
    static SocketPair tcp() throws Exception {
        return open(LibC.AF_INET, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    }

    /** A unix-domain pair bound at {@code address}. */
    static SocketPair unix(SocketAddress address) throws Exception {
        return open(LibC.AF_UNIX, address);
    }

    private static SocketPair open(int family, SocketAddress bindAddress) throws Exception {
        int listener = Sockets.open(family);
        Sockets.bind(listener, family, bindAddress, "tcp");
        Sockets.listen(listener, 16, bindAddress, "tcp");
        SocketAddress bound = SockAddr.query(listener, false);
        int client = Sockets.open(family);
        Sockets.startConnect(client, family, bound, "tcp");
        AtomicInteger server = new AtomicInteger(-1);
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1)).until(() -> {
            MemorySegment peer = SockAddr.allocate();
            int fd = LibC.accept4(listener, peer, MemorySegment.ofArray(new int[] {SockAddr.STORAGE_BYTES}),
                    LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC);
            if (fd >= 0) {
                server.set(fd);
                return true;
            }
            assertThat(fd).isEqualTo(-Errno.EAGAIN);
            return false;
        });
        return new SocketPair(listener, client, server.get(), bound);
    }

    @Override
    public void close() {
        Sockets.closeQuietly(clientFd);
        Sockets.closeQuietly(serverFd);
        Sockets.closeQuietly(listenerFd);
    }
}

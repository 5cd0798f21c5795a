package io.weft.netpoll.epoll;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibCTest {

    private static long readFully(int fd, ByteBuffer dst) {
        return Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1)).until(() -> {
            long n = LibC.read(fd, MemorySegment.ofBuffer(dst), dst.remaining());
            if (n > 0) {
                dst.position(dst.position() + (int) n);
            }
            return dst.hasRemaining() ? -1L : (long) dst.position();
        }, n -> n >= 0);
    }

    @Test
    void everyDowncallLinks() {
        // Each handle is linked on first use; this links them all, so a libc without one of the
        // symbols fails here rather than at some later first call.
        assertThat(Downcalls.linkAll()).isEqualTo(Downcalls.class.getDeclaredClasses().length);
    }

    @Test
    void theAvailabilityCheckLooksUpEverySymbolItLinks() {
        // One name per holder, so a libc without any of them makes the backend unavailable up front.
        assertThat(Downcalls.SYMBOLS).hasSize(Downcalls.class.getDeclaredClasses().length).doesNotHaveDuplicates();
        assertThat(Downcalls.firstMissingSymbol()).isNull();
    }

    @Test
    void errnoIsCapturedPerCall() {
        assertThat(LibC.close(-1)).isEqualTo(-Errno.EBADF);
        int fd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        assertThat(fd).isNotNegative();
        assertThat(LibC.read(fd, MemorySegment.ofArray(new long[1]), 8)).isEqualTo(-Errno.EAGAIN);
        assertThat(LibC.close(fd)).isZero();
        assertThat(LibC.read(fd, MemorySegment.ofArray(new long[1]), 8)).isEqualTo(-Errno.EBADF);
    }

    @Test
    void acceptOnIdleListenerReturnsEagain() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            int result = LibC.accept4(pair.listenerFd(), SockAddr.allocate(),
                    MemorySegment.ofArray(new int[] {SockAddr.STORAGE_BYTES}), LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC);
            assertThat(result).isEqualTo(-Errno.EAGAIN);
        }
    }

    @Test
    void readOnEmptySocketReturnsEagain() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            ByteBuffer dst = ByteBuffer.allocate(16);
            assertThat(LibC.read(pair.serverFd(), MemorySegment.ofBuffer(dst), 16)).isEqualTo(-Errno.EAGAIN);
        }
    }

    @Test
    void heapBuffersPassWithoutCopyHonouringPositionAndArrayOffset() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            byte[] backing = "xxxxhello heapyyyy".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer src = ByteBuffer.wrap(backing, 2, 14).slice(); // arrayOffset 2
            src.position(2).limit(12); // "hello heap"
            long written = LibC.send(pair.clientFd(), MemorySegment.ofBuffer(src), src.remaining(), LibC.MSG_NOSIGNAL);
            assertThat(written).isEqualTo(10);

            ByteBuffer dst = ByteBuffer.wrap(new byte[20], 5, 15).slice();
            dst.position(3).limit(13);
            readFully(pair.serverFd(), dst);

            assertThat(new String(dst.array(), dst.arrayOffset() + 3, 10, StandardCharsets.US_ASCII)).isEqualTo("hello heap");
            assertThat(dst.array()[dst.arrayOffset() + 2]).isZero();
        }
    }

    @Test
    void directBuffersRoundTrip() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            ByteBuffer src = ByteBuffer.allocateDirect(64).put("direct".getBytes(StandardCharsets.US_ASCII)).flip();
            assertThat(LibC.send(pair.serverFd(), MemorySegment.ofBuffer(src), src.remaining(), LibC.MSG_NOSIGNAL)).isEqualTo(6);
            ByteBuffer dst = ByteBuffer.allocateDirect(6);
            readFully(pair.clientFd(), dst);
            assertThat(StandardCharsets.US_ASCII.decode(dst.flip()).toString()).isEqualTo("direct");
        }
    }

    @Test
    void writevAndReadvMoveBuffersInOrder() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            ByteBuffer a = ByteBuffer.allocateDirect(3).put(new byte[] {1, 2, 3}).flip();
            ByteBuffer b = ByteBuffer.allocateDirect(2).put(new byte[] {4, 5}).flip();
            MemorySegment iov = MemorySegment.ofArray(new long[] {
                MemorySegment.ofBuffer(a).address(), 3, MemorySegment.ofBuffer(b).address(), 2});
            assertThat(LibC.writev(pair.clientFd(), iov, 2)).isEqualTo(5);

            ByteBuffer c = ByteBuffer.allocateDirect(4);
            ByteBuffer d = ByteBuffer.allocateDirect(4);
            MemorySegment riov = MemorySegment.ofArray(new long[] {
                MemorySegment.ofBuffer(c).address(), 4, MemorySegment.ofBuffer(d).address(), 4});
            long n = Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                    .until(() -> LibC.readv(pair.serverFd(), riov, 2), r -> r != -Errno.EAGAIN);
            assertThat(n).isEqualTo(5);
            assertThat(c.get(0)).isEqualTo((byte) 1);
            assertThat(c.get(3)).isEqualTo((byte) 4);
            assertThat(d.get(0)).isEqualTo((byte) 5);
        }
    }

    @Test
    void shutdownWriteGivesThePeerEndOfStream() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            Sockets.shutdown(pair.clientFd(), LibC.SHUT_WR, "test");
            long n = Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                    .until(() -> LibC.read(pair.serverFd(), MemorySegment.ofArray(new byte[8]), 8), r -> r != -Errno.EAGAIN);
            assertThat(n).isZero();
        }
    }

    @Test
    void writingToAClosedPeerFailsWithoutKillingTheProcess() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            Sockets.closeQuietly(pair.serverFd());
            MemorySegment chunk = MemorySegment.ofArray(new byte[1024]);
            long failure = Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                    .until(() -> LibC.send(pair.clientFd(), chunk, 1024, LibC.MSG_NOSIGNAL), r -> r < 0);
            assertThat(-failure).isIn((long) Errno.EPIPE, (long) Errno.ECONNRESET);
            // writev has no MSG_NOSIGNAL: this relies on HotSpot ignoring SIGPIPE.
            MemorySegment iov = MemorySegment.ofArray(new long[] {MemorySegment.ofArray(new byte[0]).address(), 0});
            ByteBuffer direct = ByteBuffer.allocateDirect(16);
            iov.setAtIndex(JAVA_LONG, 0, MemorySegment.ofBuffer(direct).address());
            iov.setAtIndex(JAVA_LONG, 1, 16);
            assertThat(LibC.writev(pair.clientFd(), iov, 1)).isEqualTo(-Errno.EPIPE);
        }
    }

    @Test
    void connectToClosedPortReportsConnectionRefused() throws Exception {
        int probe = Sockets.open(LibC.AF_INET);
        Sockets.bind(probe, LibC.AF_INET, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), "tcp");
        var closedPort = SockAddr.query(probe, false);
        Sockets.closeQuietly(probe);
        int fd = Sockets.open(LibC.AF_INET);
        try {
            boolean connected;
            try {
                connected = Sockets.startConnect(fd, LibC.AF_INET, closedPort, "tcp");
            } catch (ConnectException immediate) {
                assertThat(immediate).hasMessageContaining("connection refused");
                return;
            }
            assertThat(connected).isFalse();
            int error = Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                    .until(() -> Sockets.soError(fd), e -> e != 0);
            assertThat(error).isEqualTo(Errno.ECONNREFUSED);
        } finally {
            Sockets.closeQuietly(fd);
        }
    }

    @Test
    void socketOptionsRoundTrip() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            int fd = pair.clientFd();
            Sockets.setInt(fd, LibC.IPPROTO_TCP, LibC.TCP_NODELAY, 1, "TCP_NODELAY");
            assertThat(Sockets.getInt(fd, LibC.IPPROTO_TCP, LibC.TCP_NODELAY, "TCP_NODELAY")).isEqualTo(1);
            Sockets.setInt(fd, LibC.IPPROTO_TCP, LibC.TCP_NODELAY, 0, "TCP_NODELAY");
            assertThat(Sockets.getInt(fd, LibC.IPPROTO_TCP, LibC.TCP_NODELAY, "TCP_NODELAY")).isZero();
            Sockets.setInt(fd, LibC.SOL_SOCKET, LibC.SO_KEEPALIVE, 1, "SO_KEEPALIVE");
            assertThat(Sockets.getInt(fd, LibC.SOL_SOCKET, LibC.SO_KEEPALIVE, "SO_KEEPALIVE")).isEqualTo(1);
            Sockets.setInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, 65536, "SO_RCVBUF");
            assertThat(Sockets.getInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, "SO_RCVBUF")).isGreaterThanOrEqualTo(65536);
            Sockets.setInt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, 32768, "SO_SNDBUF");
            assertThat(Sockets.getInt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, "SO_SNDBUF")).isGreaterThanOrEqualTo(32768);
            Sockets.setLinger(fd, 3);
            assertThat(Sockets.getLinger(fd)).isEqualTo(3);
            Sockets.setLinger(fd, -1);
            assertThat(Sockets.getLinger(fd)).isEqualTo(-1);
            assertThat(Sockets.soError(fd)).isZero();
        }
    }

    @Test
    void badOptionFailsWithTypedError() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            assertThatThrownBy(() -> Sockets.getInt(pair.clientFd(), LibC.SOL_SOCKET, 9999, "BOGUS"))
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("getsockopt BOGUS");
        }
    }

    @Test
    void localAndPeerAddressesMatchAcrossThePair() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            assertThat(SockAddr.query(pair.clientFd(), false)).isEqualTo(SockAddr.query(pair.serverFd(), true));
            assertThat(SockAddr.query(pair.clientFd(), true)).isEqualTo(pair.listenAddress());
        }
    }

    @Test
    void peerAddressOfUnconnectedSocketIsNotConnectedError() throws Exception {
        int fd = Sockets.open(LibC.AF_INET);
        try {
            assertThatThrownBy(() -> SockAddr.query(fd, true))
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("not connected");
        } finally {
            Sockets.closeQuietly(fd);
        }
    }

    @Test
    void bindingAnAddressInUseThrowsBindException() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            int fd = Sockets.open(LibC.AF_INET);
            try {
                assertThatThrownBy(() -> Sockets.bind(fd, LibC.AF_INET, pair.listenAddress(), "tcp"))
                        .isInstanceOf(BindException.class)
                        .hasMessageContaining("address already in use", "tcp");
            } finally {
                Sockets.closeQuietly(fd);
            }
        }
    }

    @Test
    void ipv6LoopbackPairWorks() throws Exception {
        int listener = Sockets.open(LibC.AF_INET6);
        try {
            Sockets.bind(listener, LibC.AF_INET6, new InetSocketAddress(InetAddress.getByName("::1"), 0), "tcp");
            Sockets.listen(listener, 4, null, "tcp");
            var bound = (InetSocketAddress) SockAddr.query(listener, false);
            assertThat(bound.getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
            assertThat(bound.getPort()).isPositive();
        } finally {
            Sockets.closeQuietly(listener);
        }
    }

    @Test
    void unixSocketsRoundTripAndReportTheirPath(@TempDir Path dir) throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        try (SocketPair pair = SocketPair.unix(address)) {
            assertThat(Files.exists(address.getPath())).isTrue();
            assertThat(SockAddr.query(pair.listenerFd(), false)).isEqualTo(address);
            assertThat(SockAddr.query(pair.clientFd(), true)).isEqualTo(address);
            assertThat(SockAddr.query(pair.clientFd(), false)).isEqualTo(UnixDomainSocketAddress.of(""));
            assertThat(LibC.send(pair.clientFd(), MemorySegment.ofArray(new byte[] {7, 8}), 2, LibC.MSG_NOSIGNAL)).isEqualTo(2);
            ByteBuffer dst = ByteBuffer.allocate(2);
            readFully(pair.serverFd(), dst);
            assertThat(dst.array()).containsExactly(7, 8);
        }
    }

    @Test
    void eventfdAddsUpWrites() {
        int fd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        try {
            LibC.write(fd, MemorySegment.ofArray(new long[] {2}), 8);
            LibC.write(fd, MemorySegment.ofArray(new long[] {3}), 8);
            long[] value = new long[1];
            assertThat(LibC.read(fd, MemorySegment.ofArray(value), 8)).isEqualTo(8);
            assertThat(value[0]).isEqualTo(5);
        } finally {
            LibC.close(fd);
        }
    }
}

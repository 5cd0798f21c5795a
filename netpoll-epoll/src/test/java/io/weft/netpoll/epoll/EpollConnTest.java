package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.netpoll.Conn;
import io.weft.netpoll.ConnectionResetException;
import io.weft.netpoll.NetClosedException;
import io.weft.netpoll.TcpConn;
import io.weft.netpoll.TestThreads;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Behaviour specific to the epoll backend: raw fds, buffers, options, errors. */
class EpollConnTest {
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] readExactly(Conn conn, ByteBuffer dst) throws Exception {
        while (dst.hasRemaining()) {
            if (conn.read(dst) < 0) {
                throw new AssertionError("early EOF after " + dst.position());
            }
        }
        dst.flip();
        byte[] out = new byte[dst.remaining()];
        dst.get(out);
        return out;
    }

    @Test
    void dialedAndAcceptedSocketsAreNonBlockingCloseOnExecWithNoDelay() throws Exception {
        try (EpollPair pair = EpollPair.tcp()) {
            for (Conn conn : new Conn[] {pair.client(), pair.server()}) {
                EpollTcpConn tcp = (EpollTcpConn) conn;
                int flags = Fds.flags(tcp.fd);
                assertThat(flags & O_NONBLOCK).as("O_NONBLOCK").isNotZero();
                assertThat(flags & O_CLOEXEC).as("O_CLOEXEC").isNotZero();
                assertThat(tcp.option(LibC.IPPROTO_TCP, LibC.TCP_NODELAY, "TCP_NODELAY")).isEqualTo(1);
            }
            assertThat(pair.client().remoteAddress()).isEqualTo(pair.listener().address());
            assertThat(pair.server().remoteAddress()).isEqualTo(pair.client().localAddress());
        }
    }

    @ParameterizedTest(name = "source direct={0}")
    @ValueSource(booleans = {false, true})
    void largePayloadCrossesBetweenHeapAndDirectBuffers(boolean directSource) throws Exception {
        byte[] payload = random(4 << 20, 7);
        try (EpollPair pair = EpollPair.tcp()) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    ByteBuffer src = directSource
                            ? ByteBuffer.allocateDirect(payload.length).put(payload).flip()
                            : ByteBuffer.wrap(payload);
                    assertThat(pair.client().write(src)).isEqualTo(payload.length);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            ByteBuffer dst = directSource ? ByteBuffer.allocate(payload.length) : ByteBuffer.allocateDirect(payload.length);
            assertThat(readExactly(pair.server(), dst)).isEqualTo(payload);
            writer.get(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "body bytes={0}")
    @ValueSource(ints = {100, 40_000})
    void gatherWithHeapAndDirectBuffersKeepsOrder(int bodyBytes) throws Exception {
        byte[] header = random(12, 1);
        byte[] body = random(bodyBytes, 2);
        byte[] trailer = random(5, 3);
        try (EpollPair pair = EpollPair.tcp()) {
            ByteBuffer[] srcs = {
                ByteBuffer.wrap(header), ByteBuffer.allocateDirect(bodyBytes).put(body).flip(), ByteBuffer.allocate(0),
                ByteBuffer.wrap(trailer)};
            CompletableFuture<Long> written = CompletableFuture.supplyAsync(() -> {
                try {
                    return pair.client().write(srcs);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            byte[] expected = new byte[12 + bodyBytes + 5];
            System.arraycopy(header, 0, expected, 0, 12);
            System.arraycopy(body, 0, expected, 12, bodyBytes);
            System.arraycopy(trailer, 0, expected, 12 + bodyBytes, 5);
            assertThat(readExactly(pair.server(), ByteBuffer.allocate(expected.length))).isEqualTo(expected);
            assertThat(written.get(10, TimeUnit.SECONDS)).isEqualTo(expected.length);
            assertThat(Arrays.stream(srcs).noneMatch(ByteBuffer::hasRemaining)).isTrue();
        }
    }

    @Test
    void scatterFillsDirectBuffersInOrderAndHeapBuffersOneAtATime() throws Exception {
        try (EpollPair pair = EpollPair.tcp()) {
            pair.client().write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6}));
            ByteBuffer[] direct = {ByteBuffer.allocateDirect(2), ByteBuffer.allocateDirect(2)};
            long n = 0;
            while (n < 4) {
                n += pair.server().read(direct);
            }
            assertThat(direct[0].flip().get(1)).isEqualTo((byte) 2);
            assertThat(direct[1].flip().get(0)).isEqualTo((byte) 3);
            ByteBuffer[] heap = {ByteBuffer.allocate(1), ByteBuffer.allocateDirect(4)};
            assertThat(pair.server().read(heap)).isEqualTo(1);
            assertThat(heap[0].get(0)).isEqualTo((byte) 5);
        }
    }

    @Test
    void readIntoReadOnlyBufferIsRejected() throws Exception {
        try (EpollPair pair = EpollPair.tcp()) {
            pair.client().write(ByteBuffer.wrap(new byte[] {1}));
            assertThatThrownBy(() -> pair.server().read(ByteBuffer.allocate(4).asReadOnlyBuffer()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void peerResetIsConnectionResetException() throws Exception {
        try (EpollPair pair = EpollPair.tcp()) {
            Sockets.setLinger(((EpollConn) pair.server()).fd, 0); // close sends RST
            pair.server().close();
            assertThatThrownBy(() -> pair.client().read(ByteBuffer.allocate(8)))
                    .isInstanceOf(ConnectionResetException.class)
                    .hasMessageContaining("read tcp")
                    .hasMessageContaining("connection reset");
        }
    }

    @Test
    void writesToAVanishedPeerFailWithConnectionReset() throws Exception {
        try (EpollPair pair = EpollPair.tcp()) {
            pair.server().close();
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 1000; i++) {
                    pair.client().write(chunk.clear());
                }
            }).isInstanceOf(ConnectionResetException.class);
        }
    }

    @Test
    void writeAfterCloseWriteIsClosedError() throws Exception {
        try (EpollPair pair = EpollPair.tcp()) {
            pair.client().closeWrite();
            assertThatThrownBy(() -> pair.client().write(ByteBuffer.allocate(1)))
                    .isInstanceOf(NetClosedException.class);
            assertThat(pair.server().read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
    }

    @Test
    void tcpOptionsReachTheSocketAndFailAfterClose() throws Exception {
        try (EpollPair pair = EpollPair.tcp()) {
            EpollTcpConn conn = (EpollTcpConn) pair.client();
            conn.setNoDelay(false);
            assertThat(conn.option(LibC.IPPROTO_TCP, LibC.TCP_NODELAY, "TCP_NODELAY")).isZero();
            conn.setKeepAlivePeriod(Duration.ofMillis(2500));
            assertThat(conn.option(LibC.SOL_SOCKET, LibC.SO_KEEPALIVE, "SO_KEEPALIVE")).isEqualTo(1);
            assertThat(conn.option(LibC.IPPROTO_TCP, LibC.TCP_KEEPIDLE, "TCP_KEEPIDLE")).isEqualTo(3);
            assertThat(conn.option(LibC.IPPROTO_TCP, LibC.TCP_KEEPINTVL, "TCP_KEEPINTVL")).isEqualTo(3);
            conn.setKeepAlive(false);
            assertThat(conn.option(LibC.SOL_SOCKET, LibC.SO_KEEPALIVE, "SO_KEEPALIVE")).isZero();
            conn.setReadBufferBytes(128 * 1024);
            assertThat(conn.option(LibC.SOL_SOCKET, LibC.SO_RCVBUF, "SO_RCVBUF")).isGreaterThanOrEqualTo(128 * 1024);
            conn.setWriteBufferBytes(64 * 1024);
            assertThat(conn.option(LibC.SOL_SOCKET, LibC.SO_SNDBUF, "SO_SNDBUF")).isGreaterThanOrEqualTo(64 * 1024);
            assertThatThrownBy(() -> conn.setReadBufferBytes(0)).isInstanceOf(IllegalArgumentException.class);

            conn.close();
            assertThatThrownBy(() -> conn.setNoDelay(true)).isInstanceOf(NetClosedException.class);
        }
    }

    @Test
    void interruptEndsABlockedReadOnAPlatformThreadAndKeepsTheConnOpen() throws Exception {
        try (EpollPair pair = EpollPair.tcp()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    pair.server().read(ByteBuffer.allocate(1));
                } catch (Throwable t) {
                    failure.set(t);
                }
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
                done.countDown();
            });
            // A platform reader waits in poll(2) (RUNNABLE), not parked.
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> TestThreads.isBlocked(reader));
            reader.interrupt();
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(failure.get()).isInstanceOf(InterruptedIOException.class);

            pair.client().write(ByteBuffer.wrap(new byte[] {42}));
            ByteBuffer one = ByteBuffer.allocate(1);
            assertThat(pair.server().read(one)).isEqualTo(1);
            assertThat(one.get(0)).isEqualTo((byte) 42);
        }
    }

    @Test
    void tcpConnsImplementTcpConnAndReportInetAddresses() throws Exception {
        try (EpollPair pair = EpollPair.tcp()) {
            assertThat(pair.client()).isInstanceOf(TcpConn.class);
            assertThat(((TcpConn) pair.client()).remoteAddress().getPort())
                    .isEqualTo(((java.net.InetSocketAddress) pair.listener().address()).getPort());
        }
    }

    private static int registeredSockets() throws Exception {
        int total = 0;
        for (EpollPoller poller : PollerGroup.all()) {
            total += poller.registeredCount();
        }
        return total;
    }

    @Test
    void closingConnsReleasesTheirFdsAndPollerSlots() throws Exception {
        EpollPair.tcp().close(); // start the pollers before taking the baseline
        int fdBaseline = Fds.openCount();
        int slotBaseline = registeredSockets();
        java.util.List<EpollPair> pairs = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pairs.add(EpollPair.tcp());
        }
        assertThat(registeredSockets()).isEqualTo(slotBaseline + 150); // listener, client and server each
        java.util.List<Thread> readers = new java.util.ArrayList<>();
        java.util.Queue<Object> outcomes = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (EpollPair pair : pairs) {
            readers.add(Thread.ofVirtual().start(() -> {
                try {
                    outcomes.add(pair.server().read(ByteBuffer.allocate(1)));
                } catch (Exception e) {
                    outcomes.add(e);
                }
            }));
        }
        // each reader in flight and parked on its socket, so close has to wait for it to leave
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> readers.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
        for (EpollPair pair : pairs) {
            pair.close();
        }
        for (Thread reader : readers) {
            assertThat(reader.join(Duration.ofSeconds(10))).isTrue();
        }
        // the pair closes the client end first, so a reader may see its FIN before its own close
        assertThat(outcomes).hasSize(pairs.size())
                .allMatch(outcome -> outcome instanceof NetClosedException || Integer.valueOf(-1).equals(outcome));
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> Fds.openCount() <= fdBaseline && registeredSockets() == slotBaseline);
    }
}

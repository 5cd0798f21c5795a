package io.weft.netpoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.weft.netpoll.TestThreads.Call;
import io.weft.netpoll.TestThreads.Kind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, defect 12: {@link Dialer} splits the timeout across addresses (Go's partialDeadline)
 * and races IPv4 after IPv6 (Happy Eyeballs), on real loopback sockets. A "blackholed" address is
 * a listener whose accept queue is full, so the kernel drops further SYNs; resolution is injected.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DialerTest {
    private static final InetAddress V4 = InetAddress.getLoopbackAddress();
    private final TestThreads threads = new TestThreads();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        threads.joinAll(Duration.ofSeconds(10));
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private static Dialer dialer(SocketAddress... addresses) {
        return new Dialer().withPoller(Poller.named("nio")).withResolver((network, address) -> List.of(addresses));
    }

    /** A listener that never accepts and whose queue is full: connecting to it hangs. */
    private SocketAddress blackhole(InetAddress host) throws IOException {
        ServerSocketChannel saturated = ServerSocketChannel.open().bind(new InetSocketAddress(host, 0), 1);
        resources.add(saturated);
        for (int i = 0; i < 8; i++) {
            SocketChannel filler = SocketChannel.open();
            filler.configureBlocking(false);
            filler.connect(saturated.getLocalAddress());
            resources.add(filler);
        }
        return saturated.getLocalAddress();
    }

    private Listener listener(String host) throws IOException {
        Listener listener = Poller.named("nio").listen("tcp", host + ":0");
        resources.add(listener);
        return listener;
    }

    /** A port nothing listens on. */
    private static SocketAddress refused(InetAddress host) throws IOException {
        try (ServerSocketChannel closed = ServerSocketChannel.open().bind(new InetSocketAddress(host, 0))) {
            return closed.getLocalAddress();
        }
    }

    @Test
    void anUnreachableFirstAddressGetsOnlyItsShareOfTheTimeout() throws Exception {
        Listener good = listener("127.0.0.1");
        long start = System.nanoTime();
        try (Conn conn = dialer(blackhole(V4), good.address()).withTimeout(Duration.ofSeconds(3)).dial("tcp", "host:1")) {
            // 3 s over two addresses: 1.5 s each, raised to Go's 2 s minimum for the first
            assertThat(conn.remoteAddress()).isEqualTo(good.address());
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1_800), Duration.ofMillis(2_900));
    }

    @Test
    void ipv4FallbackStartsAfterTheDelayWhenIpv6Hangs() throws Exception {
        Listener good = listener("127.0.0.1");
        long start = System.nanoTime();
        try (Conn conn = dialer(blackhole(InetAddress.getByName("::1")), good.address())
                .withTimeout(Duration.ofSeconds(20)).dial("tcp", "host:1")) {
            assertThat(conn.remoteAddress()).isEqualTo(good.address());
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), Duration.ofMillis(1_900));
    }

    @Test
    void ipv6IsTriedFirstWhateverTheResolverOrder() throws Exception {
        Listener v6 = listener("[::1]");
        Listener v4 = listener("127.0.0.1");
        try (Conn conn = dialer(v4.address(), v6.address()).dial("tcp", "host:1")) {
            assertThat(conn.remoteAddress()).isEqualTo(v6.address());
        }
    }

    @Test
    void theLoserOfARaceIsClosed() throws Exception {
        Listener v6 = listener("[::1]");
        Listener v4 = listener("127.0.0.1");
        try (Conn winner = dialer(v6.address(), v4.address()).withFallbackDelay(Duration.ZERO).dial("tcp", "host:1")) {
            for (Listener listener : List.of(v6, v4)) {
                listener.setDeadline(Instant.now().plusSeconds(2));
                Conn accepted;
                try {
                    accepted = listener.accept();
                } catch (DeadlineExceededException loserNeverConnected) {
                    continue;
                }
                resources.add(accepted);
                if (accepted.remoteAddress().equals(winner.localAddress())) {
                    continue;
                }
                accepted.setReadDeadline(Instant.now().plusSeconds(10));
                Throwable read = catchThrowable(() -> assertThat(accepted.read(ByteBuffer.allocate(1))).isEqualTo(-1));
                if (read != null) {
                    assertThat(read).isInstanceOf(ConnectionResetException.class);
                }
            }
            winner.write(ByteBuffer.wrap(new byte[] {1})); // the winner still works
        }
    }

    @Test
    void whenEveryAddressFailsThePrimariesFirstErrorIsThrown() throws Exception {
        SocketAddress v6 = refused(InetAddress.getByName("::1"));
        SocketAddress v4 = refused(V4);
        assertThatThrownBy(() -> dialer(v4, v6).dial("tcp", "host:1"))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("]:" + ((InetSocketAddress) v6).getPort()) // the IPv6 one
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    }

    @Test
    void theWholeTimeoutStillBoundsTheDial() throws Exception {
        long start = System.nanoTime();
        assertThatThrownBy(() -> dialer(blackhole(V4)).withTimeout(Duration.ofMillis(300)).dial("tcp", "host:1"))
                .isInstanceOf(DeadlineExceededException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void interruptEndsARacingDialAndKeepsTheFlag() throws Exception {
        SocketAddress v6 = blackhole(InetAddress.getByName("::1"));
        SocketAddress v4 = blackhole(V4);
        Call<Throwable> dial = threads.start(Kind.PLATFORM, () -> {
            Throwable failure = catchThrowable(() -> dialer(v6, v4).withFallbackDelay(Duration.ZERO).dial("tcp", "h:1"));
            return Thread.currentThread().isInterrupted() ? failure : new AssertionError("flag cleared", failure);
        });
        dial.awaitBlocked();
        dial.thread().interrupt();
        assertThat(dial.result().get(10, TimeUnit.SECONDS))
                .isInstanceOf(InterruptedIOException.class)
                .isNotInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void partialDeadlineSplitsTheTimeLeftWithATwoSecondFloor() throws Exception {
        long s = 1_000_000_000L;
        assertThat(DialRace.partialDeadline(100, 100 + 10 * s, 2)).isEqualTo(100 + 5 * s);
        assertThat(DialRace.partialDeadline(100, 100 + 3 * s, 2)).isEqualTo(100 + 2 * s);
        assertThat(DialRace.partialDeadline(100, 100 + s, 3)).isEqualTo(100 + s);
        assertThat(DialRace.partialDeadline(100, 0, 3)).isZero(); // no deadline
        assertThatThrownBy(() -> DialRace.partialDeadline(100, 100, 1)).isInstanceOf(DeadlineExceededException.class);
        assertThatThrownBy(() -> DialRace.partialDeadline(100, -1, 1)).isInstanceOf(DeadlineExceededException.class);
    }
}

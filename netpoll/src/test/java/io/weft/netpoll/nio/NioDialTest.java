package io.weft.netpoll.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.netpoll.Listener;
import io.weft.netpoll.TestThreads;
import io.weft.netpoll.TestThreads.Call;
import io.weft.netpoll.TestThreads.Kind;
import io.weft.netpoll.spi.Addresses;
import io.weft.netpoll.spi.PollDescriptor;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Dialing on the nio backend: deadlines and interrupts while the TCP handshake hangs. */
class NioDialTest {
    /** One transport for the class: each would otherwise start its own poller threads. */
    private static final NioTransport transport = new NioTransport();
    private final TestThreads threads = new TestThreads();
    private final List<SocketChannel> fillers = new ArrayList<>();
    private ServerSocketChannel saturated;

    /** A listener that never accepts and whose queue is full: the kernel drops further SYNs. */
    @BeforeEach
    void saturateAListener() throws Exception {
        saturated = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        for (int i = 0; i < 8; i++) {
            SocketChannel filler = SocketChannel.open();
            filler.configureBlocking(false);
            filler.connect(saturated.getLocalAddress());
            fillers.add(filler);
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        threads.joinAll(Duration.ofSeconds(10));
        for (SocketChannel filler : fillers) {
            filler.close();
        }
        saturated.close();
    }

    @Test
    void dialTimesOutWhenTheHandshakeNeverCompletes() throws Exception {
        transport.listen("tcp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).close(); // pollers started
        long fdsBefore = openFds();
        long start = System.nanoTime();
        assertThatThrownBy(() -> transport.dial("tcp", saturated.getLocalAddress(),
                PollDescriptor.deadlineNanosAfter(Duration.ofMillis(300))))
                .isInstanceOf(DeadlineExceededException.class)
                .hasMessage("dial tcp " + Addresses.format(saturated.getLocalAddress()) + ": i/o timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> openFds() <= fdsBefore);
    }

    @Test
    void dialWithAnExpiredDeadlineFailsBeforeConnecting() throws Exception {
        try (Listener listener = transport.listen("tcp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            assertThatThrownBy(() -> transport.dial("tcp", listener.address(), PollDescriptor.EXPIRED))
                    .isInstanceOf(DeadlineExceededException.class);
        }
    }

    @Test
    void interruptEndsAHangingDial() throws Exception {
        Call<Throwable> dial = threads.start(Kind.VIRTUAL,
                () -> catchThrowable(() -> transport.dial("tcp", saturated.getLocalAddress(), PollDescriptor.NO_DEADLINE)));
        dial.awaitBlocked();
        dial.thread().interrupt();
        assertThat(dial.result().get(10, TimeUnit.SECONDS))
                .isInstanceOf(InterruptedIOException.class)
                .isNotInstanceOf(SocketTimeoutException.class)
                .hasMessageEndingWith("interrupted");
    }

    /**
     * The failed dial closes its channel through the poller, joining the close: the join must
     * neither swallow the interrupt nor hang on it, and the poller's count must drop again.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    @Timeout(30)
    void anInterruptedDialStaysInterruptedAndLeavesNoRegistration(Kind kind) throws Exception {
        transport.listen("tcp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).close(); // pollers started
        int before = IntStream.of(transport.pollerRegistrations()).sum();
        Call<Boolean> dial = threads.start(kind, () -> {
            Throwable failure = catchThrowable(
                    () -> transport.dial("tcp", saturated.getLocalAddress(), PollDescriptor.NO_DEADLINE));
            return failure instanceof InterruptedIOException && Thread.currentThread().isInterrupted();
        });
        dial.awaitBlocked();
        dial.thread().interrupt();
        assertThat(dial.result().get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(IntStream.of(transport.pollerRegistrations()).sum()).isEqualTo(before);
    }

    @Test
    void dialedConnIsOpenAndConnected() throws Exception {
        try (Listener listener = transport.listen("tcp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                Conn conn = transport.dial("tcp", listener.address(), PollDescriptor.deadlineNanosAfter(Duration.ofSeconds(5)));
                Conn accepted = listener.accept()) {
            assertThat(conn.remoteAddress()).isEqualTo(listener.address());
            assertThat(accepted.remoteAddress()).isEqualTo(conn.localAddress());
        }
    }

    private static long openFds() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return 0;
        }
        try (Stream<Path> list = Files.list(fds)) {
            return list.count();
        }
    }
}

package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import io.weft.netpoll.Poller;
import io.weft.netpoll.spi.PollDescriptor;
import io.weft.netpoll.spi.Transport;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class EpollTransportTest {

    @Test
    void isAvailableOnThisLinuxJvmWithNativeAccess() {
        assertThat(new EpollTransport().unavailableReason()).isNull();
        assertThat(new EpollTransport().name()).isEqualTo("epoll");
    }

    @Test
    void pollersRunOnTheConfiguredKindOfThread() throws Exception {
        String configured = System.getProperty("weft.netpoll.epoll.pollerThreads");
        EpollPoller.Mode expected = configured == null ? EpollPoller.Mode.HYBRID
                : EpollPoller.Mode.valueOf(configured.toUpperCase(java.util.Locale.ROOT));
        assertThat(PollerGroup.mode()).isEqualTo(expected);
        assertThat(PollerGroup.all()).allSatisfy(poller -> {
            assertThat(poller.thread().isVirtual()).isEqualTo(expected == EpollPoller.Mode.VIRTUAL);
            assertThat(poller.assistant() != null).isEqualTo(expected == EpollPoller.Mode.HYBRID);
        });
    }

    @Test
    void serviceLoaderFindsTheProvider() {
        assertThat(ServiceLoader.load(Transport.class).stream().map(ServiceLoader.Provider::type))
                .contains(EpollTransport.class);
    }

    @Test
    void netPicksEpollByDefaultOnLinux() throws Exception {
        assertThat(System.getProperty(Poller.PROPERTY)).as("no override in this test JVM").isNull();
        assertThat(Poller.system().name()).isEqualTo("epoll");
        try (Listener listener = Net.listen("tcp", "127.0.0.1:0");
                Conn conn = Net.dial("tcp", "127.0.0.1:" + ((InetSocketAddress) listener.address()).getPort())) {
            assertThat(conn).isInstanceOf(EpollTcpConn.class);
        }
    }

    @Test
    void withoutNativeAccessNetFallsBackToNioWithOneWarning() throws Exception {
        assertFallsBackToNioWithOneWarning();
    }

    /** Preparing on another thread chooses nothing and logs nothing: the one warning still comes from system(). */
    @Test
    void preparedInBackgroundWithoutNativeAccessStillOneWarning() throws Exception {
        assertFallsBackToNioWithOneWarning("prepare");
    }

    @Test
    void preparedInBackgroundPicksEpollSilently() throws Exception {
        String[] out = runChoice(List.of("--enable-native-access=ALL-UNNAMED"), "prepare");
        assertThat(out[0]).isEqualTo("epoll");
        assertThat(out[1]).isEmpty();
    }

    private static void assertFallsBackToNioWithOneWarning(String... args) throws Exception {
        String[] out = runChoice(List.of(), args);
        String stdout = out[0];
        String errors = out[1];

        assertThat(stdout).isEqualTo("nio");
        assertThat(errors.lines().filter(line -> line.startsWith("WARNING")).toList())
                .singleElement()
                .asString()
                .contains("native access is not enabled")
                .contains("--enable-native-access=ALL-UNNAMED");
    }

    /** Runs {@link PollerChoiceMain} in a child JVM: {stdout stripped, stderr}. */
    private static String[] runChoice(List<String> jvmOptions, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PollerChoiceMain.class.getName()));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).start();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        String stdout = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String[] {stdout, stderr.get(30, TimeUnit.SECONDS)};
    }

    @Test
    void dialRefusedIsConnectException() throws Exception {
        SocketAddress closed;
        try (Listener listener = EpollPair.TRANSPORT.listen("tcp", new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            closed = listener.address();
        }
        assertThatThrownBy(() -> EpollPair.TRANSPORT.dial("tcp", closed, PollDescriptor.NO_DEADLINE))
                .isInstanceOf(ConnectException.class)
                .hasMessageStartingWith("dial tcp")
                .hasMessageContaining("connection refused");
    }

    @Test
    void dialWithExpiredDeadlineFailsBeforeConnecting() throws Exception {
        try (Listener listener = EpollPair.TRANSPORT.listen("tcp", new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            int before = Fds.openSocketCount();
            assertThatThrownBy(() -> EpollPair.TRANSPORT.dial("tcp", listener.address(), PollDescriptor.EXPIRED))
                    .isInstanceOf(DeadlineExceededException.class)
                    .hasMessageContaining("i/o timeout");
            assertThat(Fds.openSocketCount()).isEqualTo(before);
        }
    }

    /** A listener whose accept queue is full: the kernel drops further SYNs, so dials hang. */
    private static SocketPair saturatedListener(List<Integer> fillers) throws Exception {
        SocketPair pair = SocketPair.tcp();
        LibC.listen(pair.listenerFd(), 0);
        for (int i = 0; i < 8; i++) {
            int fd = Sockets.open(LibC.AF_INET);
            fillers.add(fd);
            Sockets.startConnect(fd, LibC.AF_INET, pair.listenAddress(), "tcp");
        }
        return pair;
    }

    @Test
    void dialTimesOutWhenTheHandshakeNeverCompletes() throws Exception {
        List<Integer> fillers = new ArrayList<>();
        try (SocketPair pair = saturatedListener(fillers)) {
            int before = Fds.openSocketCount();
            long start = System.nanoTime();
            assertThatThrownBy(() -> EpollPair.TRANSPORT.dial("tcp", pair.listenAddress(),
                    PollDescriptor.deadlineNanosAfter(Duration.ofMillis(300))))
                    .isInstanceOf(DeadlineExceededException.class)
                    .hasMessageStartingWith("dial tcp 127.0.0.1:")
                    .hasMessageEndingWith("i/o timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
            assertThat(Fds.openSocketCount()).as("the half-open socket is closed").isEqualTo(before);
        } finally {
            fillers.forEach(Sockets::closeQuietly);
        }
    }

    @Test
    void interruptEndsAHangingDial() throws Exception {
        List<Integer> fillers = new ArrayList<>();
        try (SocketPair pair = saturatedListener(fillers)) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread dialer = Thread.ofVirtual().start(() -> {
                try {
                    EpollPair.TRANSPORT.dial("tcp", pair.listenAddress(), PollDescriptor.NO_DEADLINE).close();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> dialer.getState() == Thread.State.WAITING);
            dialer.interrupt();
            assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class)
                    .hasMessageStartingWith("dial tcp");
        } finally {
            fillers.forEach(Sockets::closeQuietly);
        }
    }

    @Test
    void unixConnsReportPathsAndAbstractNamesWork() throws Exception {
        String name = "@weft-epoll-test-" + ProcessHandle.current().pid();
        try (EpollPair pair = EpollPair.open("unix", java.net.UnixDomainSocketAddress.of(name))) {
            assertThat(pair.listener().address()).isEqualTo(java.net.UnixDomainSocketAddress.of(name));
            assertThat(pair.client().remoteAddress()).isEqualTo(java.net.UnixDomainSocketAddress.of(name));
            pair.client().write(ByteBuffer.wrap(new byte[] {3}));
            ByteBuffer one = ByteBuffer.allocate(1);
            assertThat(pair.server().read(one)).isEqualTo(1);
        }
    }

    @Test
    void closingAListenerWithABlockedAcceptorFreesThePortBeforeCloseReturns() throws Exception {
        for (int round = 0; round < 20; round++) {
            Listener listener = EpollPair.TRANSPORT.listen("tcp", new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            CompletableFuture<Throwable> acceptOutcome = new CompletableFuture<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    listener.accept().close();
                    acceptOutcome.complete(null);
                } catch (Throwable t) {
                    acceptOutcome.complete(t);
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> acceptor.getState() == Thread.State.WAITING);
            listener.close();
            try (Listener again = EpollPair.TRANSPORT.listen("tcp", listener.address())) {
                assertThat(again.address()).isEqualTo(listener.address());
            }
            assertThat(acceptOutcome.get(5, TimeUnit.SECONDS)).isInstanceOf(io.weft.netpoll.NetClosedException.class);
        }
    }
}

package io.weft.netpoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.TestThreads.Call;
import io.weft.netpoll.TestThreads.Kind;
import io.weft.netpoll.spi.Addresses;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@link ConnContractTest} for TCP on one poller, plus what only TCP promises: {@link TcpConn}
 * options, Go's error texts, connection reset and refused, IPv6, and scale (1,000 blocked readers
 * released within 100 ms of close; 10,000 concurrent echo connections on virtual threads; the
 * process's file descriptors back to their baseline afterwards). A subclass names the poller.
 */
public abstract class TcpContractTest extends ConnContractTest {

    /** The poller under test. */
    protected abstract Poller poller();

    @Override
    protected ConnPair connect() throws Exception {
        Listener listener = poller().listen("tcp", "127.0.0.1:0");
        Conn dialed = poller().dial("tcp", Addresses.format(listener.address()));
        Conn accepted = listener.accept();
        return new ConnPair(dialed, accepted, listener);
    }

    @Override
    protected Class<NetClosedException> closedExceptionType() {
        return NetClosedException.class;
    }

    @Test
    void connsAreTcpConnsWithCrossedAddresses() {
        assertThat(c1).isInstanceOf(TcpConn.class);
        assertThat(c2).isInstanceOf(TcpConn.class);
        assertThat(c1.localAddress()).isEqualTo(c2.remoteAddress());
        assertThat(c1.remoteAddress()).isEqualTo(c2.localAddress());
    }

    @Test
    void tcpOptionsCanBeSetAndFailAfterClose() throws Exception {
        TcpConn tcp = (TcpConn) c1;
        tcp.setNoDelay(false);
        tcp.setNoDelay(true);
        tcp.setKeepAlive(true);
        tcp.setKeepAlivePeriod(Duration.ofSeconds(15));
        tcp.setReadBufferBytes(256 * 1024);
        tcp.setWriteBufferBytes(256 * 1024);
        c1.write(ByteBuffer.wrap(new byte[] {1}));
        assertThat(readByte(c2)).isEqualTo(1);
        c1.close();
        assertThatThrownBy(() -> tcp.setNoDelay(true)).isInstanceOf(NetClosedException.class);
    }

    /** Whether this backend can set {@code TCP_NOTSENT_LOWAT} (see {@link TcpConn#setNotSentLowWaterBytes}). */
    protected abstract boolean setsNotSentLowWater();

    @Test
    void notSentLowWaterMarkIsAppliedWhereSupportedAndReportedHonestly() throws Exception {
        TcpConn tcp = (TcpConn) c1;
        assertThat(tcp.notSentLowWaterBytes()).as("not set by default").isZero();
        assertThat(tcp.setNotSentLowWaterBytes(64 * 1024)).isEqualTo(setsNotSentLowWater());
        assertThat(tcp.notSentLowWaterBytes()).isEqualTo(setsNotSentLowWater() ? 64 * 1024 : 0);
        c1.write(ByteBuffer.wrap(new byte[] {1}));
        assertThat(readByte(c2)).isEqualTo(1);
        tcp.setNotSentLowWaterBytes(0);
        assertThat(tcp.notSentLowWaterBytes()).isZero();
        assertThatThrownBy(() -> tcp.setNotSentLowWaterBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        c1.close();
        assertThatThrownBy(() -> tcp.setNotSentLowWaterBytes(1024)).isInstanceOf(NetClosedException.class);
        assertThatThrownBy(tcp::notSentLowWaterBytes).isInstanceOf(NetClosedException.class);
    }

    /** Whether this backend reports the kernel's minimum RTT (see {@link TcpConn#minRtt}). */
    protected abstract boolean reportsMinRtt();

    @Test
    void minRttIsTheKernelsWhereReportedAndZeroElsewhere() throws Exception {
        TcpConn tcp = (TcpConn) c1;
        c1.write(ByteBuffer.wrap(new byte[] {1}));
        assertThat(readByte(c2)).isEqualTo(1);
        c2.write(ByteBuffer.wrap(new byte[] {2}));
        assertThat(readByte(c1)).isEqualTo(2); // c1's byte is acknowledged by now: a sample
        Duration rtt = tcp.minRtt();
        if (reportsMinRtt()) {
            assertThat(rtt).isPositive().isLessThan(Duration.ofSeconds(1)); // loopback
            assertThat(((TcpConn) c2).minRtt()).isPositive().isLessThan(Duration.ofSeconds(1));
        } else {
            assertThat(rtt).isZero();
        }
        c1.close();
        assertThatThrownBy(tcp::minRtt).isInstanceOf(NetClosedException.class);
    }

    @Test
    void pastReadDeadlineWinsOverBufferedData() throws Exception {
        c2.write(ByteBuffer.wrap(new byte[] {1}));
        c1.setReadDeadline(Instant.EPOCH);
        assertThatThrownBy(() -> c1.read(ByteBuffer.allocate(1))).isInstanceOf(DeadlineExceededException.class);
        c1.setReadDeadline(null);
        assertThat(readByte(c1)).isEqualTo(1);
    }

    @Test
    void errorsNameTheOperationAndTheAddressesLikeGo() throws Exception {
        String local = Addresses.format(c1.localAddress());
        String remote = Addresses.format(c1.remoteAddress());
        c1.setReadDeadline(Instant.EPOCH);
        assertThatThrownBy(() -> c1.read(ByteBuffer.allocate(1)))
                .hasMessage("read tcp " + local + "->" + remote + ": i/o timeout");
        c1.close();
        assertThatThrownBy(() -> c1.write(ByteBuffer.allocate(1)))
                .isInstanceOf(NetClosedException.class)
                .hasMessage("write tcp " + local + "->" + remote + ": use of closed network connection");
    }

    @Test
    void peerAbortGivesConnectionReset() throws Exception {
        // Closing with unread bytes in the receive queue makes the kernel send RST, not FIN.
        c1.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(readByte(c2)).isEqualTo(1); // the other two stay queued
        c2.close();
        Throwable failure = catchThrowable(() -> {
            while (true) {
                c1.write(ByteBuffer.allocate(1024));
                c1.read(ByteBuffer.allocate(1024));
            }
        });
        assertThat(failure).isInstanceOf(ConnectionResetException.class)
                .hasMessageContaining("tcp " + Addresses.format(c1.localAddress()));
    }

    @Test
    void closeWithZeroLingerResetsThePeerInsteadOfEndOfStream() throws Exception {
        c1.write(ByteBuffer.wrap(new byte[] {7}));
        assertThat(readByte(c2)).isEqualTo(7); // nothing left unread: a plain close would send FIN
        ((TcpConn) c2).setLinger(0);
        c2.close();
        assertThatThrownBy(() -> c1.read(ByteBuffer.allocate(16))).isInstanceOf(ConnectionResetException.class);
    }

    @Test
    void closeWithDefaultOrPositiveLingerStillEndsWithEndOfStream() throws Exception {
        ((TcpConn) c2).setLinger(5);
        ((TcpConn) c2).setLinger(-1);
        c2.write(ByteBuffer.wrap(new byte[] {9}));
        c2.close();
        assertThat(readByte(c1)).isEqualTo(9);
        assertThat(c1.read(ByteBuffer.allocate(16))).isEqualTo(-1);
    }

    @Test
    void dialingAClosedPortIsConnectionRefused() throws Exception {
        Listener listener = poller().listen("tcp", "127.0.0.1:0");
        String address = Addresses.format(listener.address());
        listener.close();
        assertThatThrownBy(() -> poller().dial("tcp", address))
                .isInstanceOf(ConnectException.class)
                .hasMessage("dial tcp " + address + ": connection refused");
    }

    @Test
    void closedListenerFreesItsPortAtOnce() throws Exception {
        Listener first = poller().listen("tcp", "127.0.0.1:0");
        String address = Addresses.format(first.address());
        first.close();
        try (Listener second = poller().listen("tcp", address)) {
            assertThat(Addresses.format(second.address())).isEqualTo(address);
        }
    }

    @Test
    void dialWithTimeoutConnects() throws Exception {
        try (Listener listener = poller().listen("tcp4", ":0");
                Conn dialed = poller().dial("tcp4", ":" + ((InetSocketAddress) listener.address()).getPort(), Duration.ofSeconds(5));
                Conn accepted = listener.accept()) {
            assertThat(((InetSocketAddress) dialed.remoteAddress()).getAddress().isLoopbackAddress()).isTrue();
            assertThat(accepted.isOpen()).isTrue();
        }
    }

    @Test
    void ipv6LoopbackWorksWhenTheHostHasIt() throws Exception {
        Listener listener;
        try {
            listener = poller().listen("tcp6", "[::1]:0");
        } catch (IOException noIpv6) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + noIpv6.getMessage());
            return;
        }
        try (listener;
                Conn dialed = poller().dial("tcp", "[::1]:" + ((InetSocketAddress) listener.address()).getPort());
                Conn accepted = listener.accept()) {
            assertThat(((InetSocketAddress) accepted.remoteAddress()).getAddress()).isEqualTo(InetAddress.getByName("::1"));
            dialed.write(ByteBuffer.wrap(new byte[] {6}));
            assertThat(readByte(accepted)).isEqualTo(6);
        }
    }

    /** Go's {@code ":port"}: one socket on {@code ::} that accepts IPv4 and IPv6; IPv4 only where IPv6 is absent. */
    @Test
    void listenWithoutHostAcceptsIpv4AndIpv6() throws Exception {
        boolean ipv6 = hasIpv6Loopback();
        try (Listener listener = poller().listen("tcp", ":0")) {
            int port = ((InetSocketAddress) listener.address()).getPort();
            assertThat(Addresses.format(listener.address())).isEqualTo((ipv6 ? "[::]:" : "0.0.0.0:") + port);
            List<String> peers = new ArrayList<>(List.of("127.0.0.1"));
            if (ipv6) {
                peers.add("::1");
            }
            for (String peer : peers) {
                try (java.net.Socket socket = new java.net.Socket(peer, port); Conn accepted = listener.accept()) {
                    assertThat(((InetSocketAddress) accepted.remoteAddress()).getAddress()).isEqualTo(InetAddress.getByName(peer));
                    socket.getOutputStream().write(7);
                    assertThat(readByte(accepted)).isEqualTo(7);
                }
            }
        }
    }

    private boolean hasIpv6Loopback() {
        try (Listener probe = poller().listen("tcp6", "[::1]:0")) {
            return probe.address() != null;
        } catch (IOException noIpv6) {
            return false;
        }
    }

    @Test
    void thousandBlockedReadersAreReleasedWithin100MillisecondsOfClose() throws Exception {
        long fdBaseline = openFileDescriptors();
        Duration best = Duration.ofDays(1);
        for (int attempt = 0; attempt < 3 && best.compareTo(Duration.ofMillis(100)) > 0; attempt++) {
            best = min(best, releaseBlockedReaders(1000));
        }
        System.out.printf("%s: 1,000 blocked readers released %.1f ms after the first close%n",
                getClass().getSimpleName(), best.toNanos() / 1e6);
        assertThat(best).as("time from the first close to the last reader released").isLessThan(Duration.ofMillis(100));
        awaitFileDescriptorsBackTo(fdBaseline);
    }

    /**
     * Go's fdMutex releases every caller queued on a conn at close, not one after another: with
     * 1,000 platform threads a lock that hands itself on in turn needs a context switch per caller.
     * On virtual threads all 1,100 must be out within 100 ms. On platform threads merely waking
     * 1,100 OS threads on 2 vCPUs and letting each build its exception takes 50–140 ms on the AMD
     * VM of 2026-12-05, varying run to run, so the bound is relative: within 1.5 times what 1,100
     * parked platform threads take to leave when this thread unparks each in a loop, measured just
     * before the same attempt, and at least 150 ms. A lock that hands itself on in turn serializes those wake-ups.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeReleasesThousandReadersAndHundredWritersQueuedOnOneConnAtOnce(Kind kind) throws Exception {
        // Each attempt takes its own control right before it, so a burst of load on the machine
        // raises both; passing needs one attempt within its bound.
        Duration excess = Duration.ofDays(1);
        Duration best = Duration.ofDays(1);
        Duration bestBound = Duration.ZERO;
        for (int attempt = 0; attempt < 3 && excess.compareTo(Duration.ZERO) >= 0; attempt++) {
            Duration bound = Duration.ofMillis(100);
            if (kind == Kind.PLATFORM) {
                Duration control = releaseParkedPlatformThreads(1100);
                bound = max(Duration.ofMillis(150), control.plus(control.dividedBy(2)));
                System.out.printf("%s: 1,100 parked platform threads unparked in a loop left %.1f ms after%n",
                        getClass().getSimpleName(), control.toNanos() / 1e6);
            }
            ConnPair queued = attempt == 0 ? pair : connect();
            try {
                Duration released = releaseCallsQueuedOnOneConn(kind, queued.first(), 1000, 100);
                System.out.printf("%s: 1,000 readers and 100 writers queued on one conn (%s threads) released %.1f ms after close%n",
                        getClass().getSimpleName(), kind, released.toNanos() / 1e6);
                if (released.minus(bound).compareTo(excess) < 0) {
                    excess = released.minus(bound);
                    best = released;
                    bestBound = bound;
                }
            } finally {
                if (queued != pair) {
                    queued.second().close();
                    queued.cleanup().close();
                }
            }
        }
        assertThat(best).as("time from close to the last of 1,100 queued calls released").isLessThan(bestBound);
    }

    /**
     * The control: {@code count} platform threads, each parked on its own, unparked one after
     * another by this thread as fast as it can (the best any close can do); each then builds a
     * closed error and leaves.
     */
    private Duration releaseParkedPlatformThreads(int count) throws Exception {
        java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicLong lastReleaseNanos = new AtomicLong();
        List<Thread> parked = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Call<Throwable>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            calls.add(threads.start(Kind.PLATFORM, () -> released(lastReleaseNanos, () -> {
                parked.add(Thread.currentThread());
                while (!open.get()) {
                    java.util.concurrent.locks.LockSupport.park(this);
                }
                throw new NetClosedException("read", "tcp 127.0.0.1:1->127.0.0.1:2");
            })));
        }
        calls.forEach(Call::awaitBlocked);
        long openStart = System.nanoTime();
        open.set(true);
        for (Thread t : parked) {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
        for (Call<Throwable> call : calls) {
            assertThat(call.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(NetClosedException.class);
        }
        return Duration.ofNanos(lastReleaseNanos.get() - openStart);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private Duration releaseCallsQueuedOnOneConn(Kind kind, Conn conn, int readers, int writers) throws Exception {
        AtomicLong lastReleaseNanos = new AtomicLong();
        List<Call<Throwable>> calls = new ArrayList<>();
        for (int i = 0; i < readers; i++) {
            calls.add(threads.start(kind, () -> released(lastReleaseNanos, () -> conn.read(ByteBuffer.allocate(16)))));
        }
        for (int i = 0; i < writers; i++) {
            calls.add(threads.start(kind, () -> released(lastReleaseNanos, () -> fillUntilFailure(conn))));
        }
        calls.forEach(Call::awaitBlocked);
        long closeStart = System.nanoTime();
        conn.close();
        for (Call<Throwable> call : calls) {
            assertThat(call.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(NetClosedException.class);
        }
        return Duration.ofNanos(lastReleaseNanos.get() - closeStart);
    }

    private static Throwable released(AtomicLong lastReleaseNanos, ThrowingCallable call) {
        Throwable failure = catchThrowable(call);
        lastReleaseNanos.accumulateAndGet(System.nanoTime(), Math::max);
        return failure;
    }

    private Duration releaseBlockedReaders(int count) throws Exception {
        List<ConnPair> pairs = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        CountDownLatch released = new CountDownLatch(count);
        AtomicLong lastReleaseNanos = new AtomicLong();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        try {
            for (int i = 0; i < count; i++) {
                ConnPair pair = connect();
                pairs.add(pair);
                Conn reader = pair.first();
                readers.add(Thread.ofVirtual().start(() -> {
                    try {
                        reader.read(ByteBuffer.allocate(16));
                        unexpected.compareAndSet(null, new AssertionError("read returned instead of failing"));
                    } catch (NetClosedException expected) {
                        lastReleaseNanos.accumulateAndGet(System.nanoTime(), Math::max);
                    } catch (Throwable t) {
                        unexpected.compareAndSet(null, t);
                    }
                    released.countDown();
                }));
            }
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10))
                    .until(() -> readers.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
            long closeStart = System.nanoTime();
            for (ConnPair pair : pairs) {
                pair.first().close();
            }
            assertThat(released.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(unexpected.get()).isNull();
            return Duration.ofNanos(lastReleaseNanos.get() - closeStart);
        } finally {
            for (ConnPair pair : pairs) {
                pair.first().close();
                pair.second().close();
                pair.cleanup().close();
            }
        }
    }

    @Test
    void tenThousandConcurrentEchoConnectionsOnVirtualThreads() throws Exception {
        echoConnections(10_000, 3);
    }

    @Test
    @Tag("stress")
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void tenThousandEchoConnectionsWithManyRoundsEach() throws Exception {
        echoConnections(10_000, 50);
    }

    /**
     * Dials {@code count} connections to an echo server in a child JVM (one process could not hold
     * both ends' descriptors under a 20,000 limit), has each do {@code rounds} 64-byte round trips
     * on its own virtual thread with all of them open at once, then closes them and checks the
     * descriptors come back to the baseline.
     */
    protected void echoConnections(int count, int rounds) throws Exception {
        long fdBaseline = openFileDescriptors();
        Process server = startEchoServer();
        try {
            String address = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(address).as("child echo server address").isNotNull();
            Queue<Conn> conns = new ConcurrentLinkedQueue<>();
            Semaphore dialing = new Semaphore(256);
            CountDownLatch allOpen = new CountDownLatch(count);
            CountDownLatch done = new CountDownLatch(count);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int i = 0; i < count; i++) {
                int id = i;
                Thread.ofVirtual().start(() -> {
                    Conn conn = null;
                    try {
                        dialing.acquire();
                        try {
                            conn = poller().dial("tcp", address, Duration.ofSeconds(30));
                        } finally {
                            dialing.release();
                        }
                        conns.add(conn);
                        allOpen.countDown();
                        allOpen.await(); // every connection is open at the same time
                        conn.setDeadline(Instant.now().plus(Duration.ofMinutes(8))); // a hang shows as a timeout; slowness does not
                        ByteBuffer out = ByteBuffer.allocate(64);
                        ByteBuffer in = ByteBuffer.allocate(64);
                        for (int r = 0; r < rounds; r++) {
                            out.clear().putInt(0, id).putInt(4, r);
                            conn.write(out);
                            in.clear();
                            assertThat(readFully(conn, in)).isEqualTo(64);
                            assertThat(in.getInt(0)).isEqualTo(id);
                            assertThat(in.getInt(4)).isEqualTo(r);
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                        allOpen.countDown();
                    } finally {
                        done.countDown();
                    }
                });
            }
            boolean finished = done.await(9, TimeUnit.MINUTES); // the test's own timeout ends it sooner
            for (Conn conn : conns) {
                conn.close();
            }
            assertThat(failure.get()).isNull();
            assertThat(finished).as("all echo connections finished").isTrue();
            assertThat(conns).hasSize(count);
        } finally {
            server.getOutputStream().close();
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
        awaitFileDescriptorsBackTo(fdBaseline);
    }

    private Process startEchoServer() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xss256k",
                "-cp", System.getProperty("java.class.path"), EchoServerMain.class.getName(), poller().name()));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    // ------------------------------------------------------------------ file descriptors

    /** The number of open file descriptors of this process (Linux), or -1 where unknown. */
    protected static long openFileDescriptors() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        try (Stream<Path> list = Files.list(fds)) {
            return list.count();
        }
    }

    /** Waits until the descriptor count is back to {@code baseline}; skipped where it is unknown. */
    protected static void awaitFileDescriptorsBackTo(long baseline) {
        if (baseline < 0 || !new File("/proc/self/fd").isDirectory()) {
            return;
        }
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> openFileDescriptors() <= baseline);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Test
    void releasedReadersLeaveThreadsReusable() throws Exception {
        Call<Throwable> reader = threads.start(Kind.VIRTUAL, () -> catchThrowable(() -> c1.read(ByteBuffer.allocate(1))));
        reader.awaitBlocked();
        c1.close();
        assertThat(reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(NetClosedException.class)
                .hasMessageStartingWith("read tcp ");
    }
}

package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.weft.netpoll.PollerFailedException;
import io.weft.netpoll.TestThreads;
import io.weft.netpoll.spi.PollDescriptor;
import io.weft.netpoll.spi.PollStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The poller in its default, hybrid mode; {@link PlatformEpollPollerTest} and {@link
 * VirtualEpollPollerTest} run the same cases on the other modes.
 */
class EpollPollerTest {
    /** The poller under test. */
    protected EpollPoller poller;

    /** Starts a poller named {@code name} of the kind under test. */
    protected EpollPoller newPoller(String name) throws Exception {
        return new EpollPoller(name);
    }

    @BeforeEach
    void startPoller() throws Exception {
        poller = newPoller("test-poller");
    }

    @AfterEach
    void stopPoller() throws Exception {
        poller.shutdown();
    }

    /** Waits for read readiness on {@code descriptor} on another thread, with a deadline. */
    private static CompletableFuture<PollStatus> awaitReadAsync(PollDescriptor descriptor, Duration timeout) {
        descriptor.setReadDeadline(PollDescriptor.deadlineNanosAfter(timeout));
        return CompletableFuture.supplyAsync(descriptor::awaitRead, r -> Thread.ofVirtual().start(r));
    }

    @Test
    void staleEventForAReusedFdNumberDoesNotWakeTheNewSocket() throws Exception {
        long staleTag;
        int oldFd;
        try (SocketPair first = SocketPair.tcp()) {
            oldFd = first.serverFd();
            staleTag = poller.register(oldFd, new PollDescriptor());
            poller.deregister(oldFd, staleTag);
        }
        try (SocketPair second = SocketPair.tcp()) {
            int newFd = second.serverFd();
            PollDescriptor fresh = new PollDescriptor();
            long freshTag = poller.register(newFd, fresh);
            assertThat(freshTag).isNotEqualTo(staleTag);
            assertThat((int) (freshTag >>> 32)).as("the slot is reused").isEqualTo((int) (staleTag >>> 32));
            fresh.prepareRead(); // drop the registration's initial edge

            CompletableFuture<PollStatus> staleWait = awaitReadAsync(fresh, Duration.ofMillis(300));
            poller.dispatch(staleTag, LibC.EPOLLIN);
            assertThat(staleWait.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.TIMED_OUT);

            CompletableFuture<PollStatus> liveWait = awaitReadAsync(fresh, Duration.ofSeconds(5));
            poller.dispatch(freshTag, LibC.EPOLLIN);
            assertThat(liveWait.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.READY);
            poller.deregister(newFd, freshTag);
        }
    }

    @Test
    void hangupWakesBothDirections() throws Exception {
        PollDescriptor descriptor = new PollDescriptor();
        int fd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        long tag = poller.register(fd, descriptor);
        descriptor.prepareRead();
        descriptor.prepareWrite();
        poller.dispatch(tag, LibC.EPOLLHUP);
        descriptor.setReadDeadline(PollDescriptor.deadlineNanosAfter(Duration.ofSeconds(5)));
        descriptor.setWriteDeadline(PollDescriptor.deadlineNanosAfter(Duration.ofSeconds(5)));
        assertThat(descriptor.awaitRead()).isEqualTo(PollStatus.READY);
        assertThat(descriptor.awaitWrite()).isEqualTo(PollStatus.READY);
        poller.deregister(fd, tag);
        LibC.close(fd);
    }

    @Test
    void readinessFromTheKernelReachesTheDescriptor() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            PollDescriptor descriptor = new PollDescriptor();
            long tag = poller.register(pair.serverFd(), descriptor);
            descriptor.prepareRead();
            CompletableFuture<PollStatus> wait = awaitReadAsync(descriptor, Duration.ofSeconds(5));
            LibC.send(pair.clientFd(), java.lang.foreign.MemorySegment.ofArray(new byte[] {1}), 1, LibC.MSG_NOSIGNAL);
            assertThat(wait.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.READY);
            poller.deregister(pair.serverFd(), tag);
        }
    }

    @Test
    void tableGrowsAndSlotsAreRecycled() throws Exception {
        int count = 200; // more than the initial 64 slots
        int[] fds = new int[count];
        long[] tags = new long[count];
        for (int i = 0; i < count; i++) {
            fds[i] = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
            tags[i] = poller.register(fds[i], new PollDescriptor());
        }
        assertThat(poller.registeredCount()).isEqualTo(count);
        for (int i = 0; i < count; i++) {
            poller.deregister(fds[i], tags[i]);
            LibC.close(fds[i]);
        }
        assertThat(poller.registeredCount()).isZero();
        int fd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        long tag = poller.register(fd, new PollDescriptor());
        assertThat((int) (tag >>> 32)).as("a freed slot, not a new one").isLessThan(count);
        poller.deregister(fd, tag);
        LibC.close(fd);
    }

    /** Whether the poller under test runs on a virtual thread. */
    protected boolean virtual() {
        return false;
    }

    @Test
    void pollerThreadIsANamedDaemonOfTheConfiguredKind() {
        assertThat(poller.thread().isDaemon()).isTrue();
        assertThat(poller.thread().isVirtual()).isEqualTo(virtual());
        assertThat(poller.thread().getName()).isEqualTo("test-poller");
    }

    @Test
    void idleSocketsAreWokenAgainAfterQuietPeriods() throws Exception {
        try (SocketPair pair = SocketPair.tcp()) {
            PollDescriptor descriptor = new PollDescriptor();
            long tag = poller.register(pair.serverFd(), descriptor);
            for (int round = 0; round < 50; round++) {
                descriptor.prepareRead();
                CompletableFuture<PollStatus> wait = awaitReadAsync(descriptor, Duration.ofSeconds(5));
                LibC.send(pair.clientFd(), java.lang.foreign.MemorySegment.ofArray(new byte[] {1}), 1, LibC.MSG_NOSIGNAL);
                assertThat(wait.get(5, TimeUnit.SECONDS)).as("round %d", round).isEqualTo(PollStatus.READY);
                LibC.read(pair.serverFd(), java.lang.foreign.MemorySegment.ofArray(new byte[8]), 8);
            }
            poller.deregister(pair.serverFd(), tag);
        }
    }

    @Test
    void shutdownEndsTheThreadPromptly() throws Exception {
        EpollPoller other = newPoller("short-lived");
        other.shutdown();
        assertThat(other.thread().isAlive()).isFalse();
    }

    @Test
    void defaultPollerCountFollowsTheJdksCountsPerMode() {
        assertThat(PollerGroup.defaultPollerCount(EpollPoller.Mode.HYBRID, 1)).isEqualTo(1);
        assertThat(PollerGroup.defaultPollerCount(EpollPoller.Mode.HYBRID, 2)).isEqualTo(2);
        assertThat(PollerGroup.defaultPollerCount(EpollPoller.Mode.HYBRID, 6)).isEqualTo(4);
        assertThat(PollerGroup.defaultPollerCount(EpollPoller.Mode.VIRTUAL, 128)).isEqualTo(32);
        assertThat(PollerGroup.defaultPollerCount(EpollPoller.Mode.PLATFORM, 2)).isEqualTo(1);
        assertThat(PollerGroup.defaultPollerCount(EpollPoller.Mode.PLATFORM, 16)).isEqualTo(4);
        assertThat(PollerGroup.defaultPollerCount(EpollPoller.Mode.PLATFORM, 24)).isEqualTo(4);
        if (Integer.getInteger("weft.netpoll.epoll.pollers") == null) {
            assertThat(PollerGroup.pollerCount(PollerGroup.mode()))
                    .isEqualTo(PollerGroup.defaultPollerCount(PollerGroup.mode(), Runtime.getRuntime().availableProcessors()));
        }
    }

    /**
     * Issue 13, defect 19: a poller whose loop dies must fail the descriptors it holds, waking
     * their blocked reads and writes with the cause, not leave them to a deadline or close.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void deadPollerFailsBlockedReadsAndWritesWithTheCause() throws Exception {
        SocketPair readPair = SocketPair.tcp();
        SocketPair writePair = SocketPair.tcp();
        EpollTcpConn reader = adopt(readPair.serverFd());
        EpollTcpConn writer = adopt(writePair.clientFd()); // its peer never reads
        TestThreads threads = new TestThreads();
        try {
            TestThreads.Call<Throwable> read = threads.start(TestThreads.Kind.VIRTUAL,
                    () -> catchThrowable(() -> reader.read(ByteBuffer.allocate(64))));
            TestThreads.Call<Throwable> write = threads.start(TestThreads.Kind.PLATFORM, () -> catchThrowable(() -> {
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                while (true) {
                    writer.write(chunk.clear());
                }
            }));
            read.awaitBlocked();
            write.awaitBlocked();

            IOException cause = new IOException("injected epoll_wait failure");
            poller.injectFailure(cause);

            for (TestThreads.Call<Throwable> call : List.of(read, write)) {
                assertThat(call.result().get(10, TimeUnit.SECONDS)).isInstanceOf(PollerFailedException.class)
                        .hasCause(cause).hasMessageContaining("poller failed");
            }
            assertThatThrownBy(() -> reader.read(ByteBuffer.allocate(8))).isInstanceOf(PollerFailedException.class);
            assertThat(poller.isDead()).isTrue();
            assertThatThrownBy(() -> poller.register(readPair.listenerFd(), new PollDescriptor()))
                    .isInstanceOf(PollerFailedException.class).hasCause(cause);
        } finally {
            reader.close(); // closes its fd (the pair's serverFd)
            writer.close(); // closes the pair's clientFd
            threads.joinAll(Duration.ofSeconds(10));
            for (int fd : new int[] {readPair.clientFd(), readPair.listenerFd(), writePair.serverFd(), writePair.listenerFd()}) {
                Sockets.closeQuietly(fd);
            }
        }
    }

    /** A TCP conn on {@code fd} registered with the poller under test; it closes the fd. */
    private EpollTcpConn adopt(int fd) throws Exception {
        PollDescriptor descriptor = new PollDescriptor();
        long tag = poller.register(fd, descriptor);
        return new EpollTcpConn("tcp", descriptor, fd, poller, tag,
                (InetSocketAddress) SockAddr.query(fd, false), (InetSocketAddress) SockAddr.query(fd, true));
    }
}

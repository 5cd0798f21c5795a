package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EpollTest {

    /** Waits until an event for {@code tag} arrives; returns its mask. */
    private static int awaitTag(Epoll epoll, long tag) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int mask = 0;
        while (System.nanoTime() < deadline) {
            int n = epoll.await(100);
            for (int i = 0; i < n; i++) {
                if (epoll.tag(i) == tag) {
                    mask |= epoll.events(i);
                }
            }
            if (mask != 0) {
                return mask;
            }
        }
        throw new AssertionError("no event for tag " + tag);
    }

    @Test
    void registeredSocketReportsWritableThenReadableWithItsTag() throws Exception {
        try (Epoll epoll = new Epoll(); SocketPair pair = SocketPair.tcp()) {
            long tag = (7L << 32) | 42;
            epoll.register(pair.serverFd(), tag);
            assertThat(awaitTag(epoll, tag) & LibC.EPOLLOUT).isNotZero();

            LibC.send(pair.clientFd(), MemorySegment.ofArray(new byte[] {1}), 1, LibC.MSG_NOSIGNAL);
            assertThat(awaitTag(epoll, tag) & LibC.EPOLLIN).isNotZero();
        }
    }

    @Test
    void edgeTriggeredReadinessIsReportedOnceUntilNewData() throws Exception {
        try (Epoll epoll = new Epoll(); SocketPair pair = SocketPair.tcp()) {
            epoll.register(pair.serverFd(), 1);
            awaitTag(epoll, 1); // initial EPOLLOUT edge
            LibC.send(pair.clientFd(), MemorySegment.ofArray(new byte[] {1}), 1, LibC.MSG_NOSIGNAL);
            assertThat(awaitTag(epoll, 1) & LibC.EPOLLIN).isNotZero();

            assertThat(epoll.await(0)).as("not drained, but no new edge").isZero();
            LibC.send(pair.clientFd(), MemorySegment.ofArray(new byte[] {2}), 1, LibC.MSG_NOSIGNAL);
            assertThat(awaitTag(epoll, 1) & LibC.EPOLLIN).isNotZero();
        }
    }

    @Test
    void peerCloseReportsReadHangup() throws Exception {
        try (Epoll epoll = new Epoll(); SocketPair pair = SocketPair.tcp()) {
            epoll.register(pair.serverFd(), 5);
            awaitTag(epoll, 5);
            LibC.shutdown(pair.clientFd(), LibC.SHUT_WR);
            assertThat(awaitTag(epoll, 5) & LibC.EPOLLRDHUP).isNotZero();
        }
    }

    @Test
    void wakeupBreaksABlockedAwaitFromAnotherThread() throws Exception {
        try (Epoll epoll = new Epoll()) {
            CompletableFuture<Long> seen = CompletableFuture.supplyAsync(() -> {
                try {
                    int n = epoll.await(-1);
                    return n == 1 ? epoll.tag(0) : 0L;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofPlatform().daemon().start(r));
            epoll.wakeup();
            assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo(Epoll.WAKEUP_TAG);
            epoll.wakeupConsumed();
            assertThat(epoll.await(0)).isZero();
        }
    }

    @Test
    void deregisteredSocketReportsNothing() throws Exception {
        try (Epoll epoll = new Epoll(); SocketPair pair = SocketPair.tcp()) {
            epoll.register(pair.serverFd(), 9);
            awaitTag(epoll, 9);
            assertThat(epoll.deregister(pair.serverFd())).isZero();
            LibC.send(pair.clientFd(), MemorySegment.ofArray(new byte[] {1}), 1, LibC.MSG_NOSIGNAL);
            assertThat(epoll.await(50)).isZero();
            assertThat(epoll.deregister(pair.serverFd())).isEqualTo(-Errno.ENOENT);
        }
    }
}

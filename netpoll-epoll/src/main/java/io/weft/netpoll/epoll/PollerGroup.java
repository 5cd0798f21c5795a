package io.weft.netpoll.epoll;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The process-wide epoll pollers, started on first use; sockets are sharded over them by fd.
 * Thread-safe: any connection thread may call {@link #forFd}.
 *
 * <p>System properties, read once when the pollers start:
 * <ul>
 * <li>{@code weft.netpoll.epoll.pollerThreads}: {@code hybrid} (default), {@code platform} or
 *     {@code virtual}; see {@link EpollPoller.Mode}.</li>
 * <li>{@code weft.netpoll.epoll.pollers}: how many pollers (1..64); by default one per CPU
 *     (rounded down to a power of two, at most 32) for hybrid and virtual pollers, a quarter of
 *     that for platform pollers; see {@link #defaultPollerCount}.</li>
 * </ul>
 */
final class PollerGroup {
    private static final ReentrantLock START_LOCK = new ReentrantLock();
    private static volatile EpollPoller[] pollers;

    private PollerGroup() {}

    /**
     * The poller mode from {@code weft.netpoll.epoll.pollerThreads}; an unknown value gives the
     * default, hybrid, with one warning.
     */
    static EpollPoller.Mode mode() {
        String configured = System.getProperty("weft.netpoll.epoll.pollerThreads", "hybrid");
        try {
            return EpollPoller.Mode.valueOf(configured.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.getLogger(PollerGroup.class.getName()).log(System.Logger.Level.WARNING,
                    "weft.netpoll.epoll.pollerThreads=" + configured
                            + " is not one of hybrid, platform, virtual; using hybrid");
            return EpollPoller.Mode.HYBRID;
        }
    }

    /**
     * The {@code weft.netpoll.epoll.pollers} property (1..64) when set, else {@link
     * #defaultPollerCount} for {@code mode} and this machine's CPUs.
     */
    static int pollerCount(EpollPoller.Mode mode) {
        Integer configured = Integer.getInteger("weft.netpoll.epoll.pollers");
        if (configured != null && configured > 0) {
            return Math.min(configured, 64);
        }
        return defaultPollerCount(mode, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The JDK's own counts (JDK 22+ {@code sun.nio.ch.Poller}): pollers that hand work to
     * virtual threads (hybrid, virtual) one per CPU rounded down to a power of two, at most 32;
     * platform-only pollers, which compete with the carriers for CPUs, a quarter of that, at
     * least one. On 2 CPUs a second hybrid poller took 64-connection ping-pong from 170k to 220k
     * round trips/s and 512 connections from 151k to 190k (docs/benchmarks.md).
     */
    static int defaultPollerCount(EpollPoller.Mode mode, int cpus) {
        int powerOfTwo = Integer.highestOneBit(Math.max(1, cpus));
        return mode == EpollPoller.Mode.PLATFORM
                ? Math.max(1, Integer.highestOneBit(cpus / 4))
                : Math.min(powerOfTwo, 32);
    }

    /**
     * The poller that owns {@code fd}; starts the pollers on first use. A poller whose loop died
     * takes no new sockets: the next live one does (the dead one, whose register then fails, when
     * none is alive).
     */
    static EpollPoller forFd(int fd) throws IOException {
        EpollPoller[] started = all();
        int first = Math.floorMod(fd, started.length);
        for (int i = 0; i < started.length; i++) {
            EpollPoller poller = started[(first + i) % started.length];
            if (!poller.isDead()) {
                return poller;
            }
        }
        return started[first];
    }

    /**
     * All pollers, started if they were not yet. A failure to start (e.g. EMFILE) is thrown to
     * the caller and the next call tries again.
     */
    static EpollPoller[] all() throws IOException {
        EpollPoller[] started = pollers;
        if (started != null) {
            return started;
        }
        START_LOCK.lock();
        try {
            if (pollers == null) {
                EpollPoller.Mode mode = mode();
                EpollPoller[] fresh = new EpollPoller[pollerCount(mode)];
                MasterPoller master = mode == EpollPoller.Mode.VIRTUAL
                        ? new MasterPoller("weft-epoll-master", fresh.length) : null;
                for (int i = 0; i < fresh.length; i++) {
                    try {
                        fresh[i] = new EpollPoller("weft-epoll-poller-" + i, mode, master, i);
                    } catch (IOException e) {
                        for (int j = 0; j < i; j++) {
                            stopQuietly(fresh[j]);
                        }
                        throw e;
                    }
                }
                pollers = fresh;
            }
            return pollers;
        } finally {
            START_LOCK.unlock();
        }
    }

    private static void stopQuietly(EpollPoller poller) {
        try {
            poller.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

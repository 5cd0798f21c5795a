package io.weft.netpoll.epoll;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The one platform thread that blocks in {@code epoll_wait} on behalf of the virtual-thread
 * {@link EpollPoller}s (the design of the JDK's own poller since JDK 22, JDK-8318422, rebuilt on
 * public API).
 *
 * <p>A sub-poller that finds no events parks itself here: {@link #await} arms the sub-poller's
 * epoll fd in this master epoll instance for one {@code EPOLLIN} report ({@code EPOLLONESHOT})
 * and parks the sub-poller's virtual thread; when the fd becomes readable (a socket of that
 * sub-poller has an event) the master unparks it. While sockets are busy the sub-pollers never
 * come here: they poll without blocking and yield between rounds, so the application threads
 * they unpark run on the same carrier, without waking another OS thread.
 *
 * <p>Threads: the master thread runs {@link #run}; {@link #await} is called by each sub-poller's
 * own thread; {@link #forget} by whoever shuts a sub-poller down.
 */
final class MasterPoller {
    private static final System.Logger LOG = System.getLogger(MasterPoller.class.getName());

    private final Epoll epoll;
    private final Thread thread;
    /** Sub-poller index to the thread parked in {@link #await}, or null. */
    private final AtomicReferenceArray<Thread> waiters;
    private final boolean[] armedOnce;

    /** Creates the master epoll instance and starts its platform daemon thread. */
    MasterPoller(String name, int subPollerCount) throws IOException {
        this.epoll = new Epoll();
        this.waiters = new AtomicReferenceArray<>(subPollerCount);
        this.armedOnce = new boolean[subPollerCount];
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
        thread.start();
    }

    /**
     * Parks the calling sub-poller (index {@code index}, epoll fd {@code epfd}) until its epoll
     * fd has something to report, or it is unparked by its shutdown. May return spuriously; the
     * caller polls and comes back. Only the sub-poller's own thread calls this.
     */
    void await(int index, int epfd) throws IOException {
        Thread me = Thread.currentThread();
        waiters.set(index, me);
        epoll.armOneShot(epfd, index, armedOnce[index]);
        armedOnce[index] = true;
        LockSupport.park(this); // an unpark between the arm and here leaves a permit: no lost wake-up
        waiters.compareAndSet(index, me, null);
    }

    /** Removes a sub-poller's epoll fd before it is closed. */
    void forget(int epfd) {
        epoll.deregister(epfd);
    }

    private void run() {
        try {
            while (true) {
                int ready = epoll.await(-1);
                for (int i = 0; i < ready; i++) {
                    long tag = epoll.tag(i);
                    if (tag == Epoll.WAKEUP_TAG) {
                        epoll.wakeupConsumed();
                    } else if (tag >= 0 && tag < waiters.length()) {
                        Thread waiter = waiters.get((int) tag);
                        if (waiter != null) {
                            LockSupport.unpark(waiter);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.log(Level.ERROR, "weft epoll master poller stopped; idle sub-pollers get no more wake-ups", e);
        }
    }

    /** The master thread, for tests. */
    Thread thread() {
        return thread;
    }
}

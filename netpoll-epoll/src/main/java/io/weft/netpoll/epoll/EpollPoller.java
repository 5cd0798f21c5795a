package io.weft.netpoll.epoll;

import io.weft.netpoll.spi.PollDescriptor;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One poller: an {@link Epoll} instance, the platform thread that waits on it, and the table of
 * descriptors registered with it; Go's {@code netpoll} loop for a shard of the sockets.
 *
 * <h2>Registration and tagging</h2>
 * Each socket is registered once, edge-triggered, for read, write and peer hang-up. Its {@code
 * epoll_data} is a tag, {@code slot << 32 | sequence}: the slot indexes {@link #table} (no map
 * lookup per event) and the sequence, bumped every time a slot is reused, plays the role of Go's
 * {@code fdseq}. An event already fetched for a socket that has since been closed, and whose fd
 * number the kernel has handed to a new socket, carries the old sequence and is dropped, so it
 * can never wake the new socket's waiters.
 *
 * <h2>The loop</h2>
 * {@code epoll_wait} for up to {@value Epoll#MAX_EVENTS} events, blocking without timeout, or
 * polling and parking on the master when idle (deadlines are enforced by the waiters' own timed
 * parks, so the poller needs no timers). For
 * each event: {@code EPOLLIN}, {@code EPOLLRDHUP}, {@code EPOLLHUP} or {@code EPOLLERR} make the
 * descriptor readable, {@code EPOLLOUT}, {@code EPOLLHUP} or {@code EPOLLERR} writable (as Go's
 * modes 'r' and 'w'), which unparks the thread waiting in that direction or latches the event.
 * The eventfd tag only breaks the wait for {@link #shutdown}.
 *
 * <h2>Threads</h2>
 * The poller thread is either a daemon platform thread blocking in {@code epoll_wait} (the
 * default), or a virtual thread that only polls without blocking and parks on the {@link
 * MasterPoller} when idle: a blocking foreign call would pin a virtual thread's carrier, and a
 * virtual poller unparks application threads onto its own carrier. {@link #register} and {@link
 * #deregister} are called by connection threads; they take {@link #tableLock}, which is never
 * held across a syscall that blocks. The poller thread reads the table without a lock.
 */
final class EpollPoller {
    private static final System.Logger LOG = System.getLogger(EpollPoller.class.getName());
    private static final int INITIAL_SLOTS = 64;
    private static final int READABLE = LibC.EPOLLIN | LibC.EPOLLRDHUP | LibC.EPOLLHUP | LibC.EPOLLERR;
    private static final int WRITABLE = LibC.EPOLLOUT | LibC.EPOLLHUP | LibC.EPOLLERR;

    /** One live registration; immutable, so the poller sees its sequence and descriptor together. */
    private record Registration(int sequence, PollDescriptor descriptor) {}

    private final String name;
    private final Epoll epoll;
    private final Thread thread;
    /** The master this poller parks on when idle; null for a platform-thread poller. */
    private final MasterPoller master;
    private final int index;
    private final ReentrantLock tableLock = new ReentrantLock();
    /** Slot to live registration ({@code null} when free); replaced by a larger copy to grow. */
    private volatile AtomicReferenceArray<Registration> table = new AtomicReferenceArray<>(INITIAL_SLOTS);
    /** Guarded by tableLock: the last sequence used in each slot, and the free slots as a stack. */
    private int[] sequences = new int[INITIAL_SLOTS];
    private int[] freeSlots = new int[INITIAL_SLOTS];
    private int freeCount;
    private int slotsUsedEver;
    private volatile boolean shutdown;

    /**
     * Creates the epoll instance and starts a platform daemon thread named {@code name} that
     * blocks in {@code epoll_wait}.
     */
    EpollPoller(String name) throws IOException {
        this(name, null, 0);
    }

    /**
     * Creates the epoll instance and starts its thread: with {@code master == null} a platform
     * daemon thread that blocks in {@code epoll_wait}; otherwise a virtual thread that polls
     * without blocking, yields between busy rounds, and parks on {@code master} (as its
     * sub-poller {@code index}) when idle.
     */
    EpollPoller(String name, MasterPoller master, int index) throws IOException {
        this.name = name;
        this.epoll = new Epoll();
        this.master = master;
        this.index = index;
        this.thread = master == null
                ? Thread.ofPlatform().name(name).daemon().unstarted(this::run)
                : Thread.ofVirtual().name(name).unstarted(this::runVirtual);
        thread.start();
    }

    /**
     * Registers {@code fd} for {@code descriptor}: its events from now on notify the descriptor.
     *
     * @return the tag to pass to {@link #deregister}
     */
    long register(int fd, PollDescriptor descriptor) throws IOException {
        long tag;
        tableLock.lock();
        try {
            int slot = allocateSlot();
            int sequence = ++sequences[slot];
            table.set(slot, new Registration(sequence, descriptor));
            tag = ((long) slot << 32) | (sequence & 0xFFFF_FFFFL);
        } finally {
            tableLock.unlock();
        }
        try {
            epoll.register(fd, tag);
        } catch (IOException e) {
            freeSlot(tag);
            throw e;
        }
        return tag;
    }

    /**
     * Removes {@code fd}, registered under {@code tag}, from the epoll set and frees its slot.
     * Called once, before the fd is closed; events already fetched for it are then dropped.
     */
    void deregister(int fd, long tag) {
        epoll.deregister(fd);
        freeSlot(tag);
    }

    private int allocateSlot() {
        if (freeCount > 0) {
            return freeSlots[--freeCount];
        }
        AtomicReferenceArray<Registration> current = table;
        if (slotsUsedEver == current.length()) {
            int size = current.length() * 2;
            AtomicReferenceArray<Registration> grown = new AtomicReferenceArray<>(size);
            for (int i = 0; i < current.length(); i++) {
                grown.set(i, current.get(i)); // entries change only under tableLock, held here
            }
            sequences = java.util.Arrays.copyOf(sequences, size);
            freeSlots = java.util.Arrays.copyOf(freeSlots, size);
            table = grown;
        }
        return slotsUsedEver++;
    }

    private void freeSlot(long tag) {
        int slot = (int) (tag >>> 32);
        tableLock.lock();
        try {
            Registration current = table.get(slot);
            if (current != null && current.sequence() == (int) tag) {
                table.set(slot, null);
                freeSlots[freeCount++] = slot;
            }
        } finally {
            tableLock.unlock();
        }
    }

    private void run() {
        try {
            while (!shutdown) {
                int ready = epoll.await(-1);
                for (int i = 0; i < ready; i++) {
                    dispatch(epoll.tag(i), epoll.events(i));
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            // epoll_wait only fails for programming errors (EBADF, EINVAL, EFAULT): nothing to retry.
            LOG.log(Level.ERROR, "weft epoll poller " + name + " stopped; its sockets get no more events", e);
        } finally {
            epoll.close();
        }
    }

    /**
     * The sub-poller loop (JDK-8318422's design): poll without blocking; after a round with
     * events yield, so the threads just unparked run on this carrier; after an empty round park
     * on the master until this epoll fd has events. A virtual thread never blocks in a foreign
     * call, which would pin its carrier.
     */
    private void runVirtual() {
        try {
            int ready = 0;
            while (!shutdown) {
                if (ready == 0) {
                    master.await(index, epoll.fd());
                } else {
                    Thread.yield();
                }
                ready = shutdown ? 0 : epoll.await(0);
                for (int i = 0; i < ready; i++) {
                    dispatch(epoll.tag(i), epoll.events(i));
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.log(Level.ERROR, "weft epoll poller " + name + " stopped; its sockets get no more events", e);
        } finally {
            master.forget(epoll.fd());
            epoll.close();
        }
    }

    /** Hands one event to its descriptor, dropping stale tags; poller thread (and tests). */
    void dispatch(long tag, int events) {
        if (tag == Epoll.WAKEUP_TAG) {
            epoll.wakeupConsumed();
            return;
        }
        int slot = (int) (tag >>> 32);
        AtomicReferenceArray<Registration> current = table;
        if (slot < 0 || slot >= current.length()) {
            return;
        }
        Registration registration = current.get(slot);
        if (registration == null || registration.sequence() != (int) tag) {
            return; // stale: the socket was deregistered (and its fd maybe reused) after the fetch
        }
        if ((events & READABLE) != 0) {
            registration.descriptor().notifyReadable();
        }
        if ((events & WRITABLE) != 0) {
            registration.descriptor().notifyWritable();
        }
    }

    /** The number of sockets registered now. */
    int registeredCount() {
        tableLock.lock();
        try {
            return slotsUsedEver - freeCount;
        } finally {
            tableLock.unlock();
        }
    }

    /** The poller thread, for tests and diagnostics. */
    Thread thread() {
        return thread;
    }

    /**
     * Stops the loop and closes the epoll instance; for tests. Sockets still registered get no
     * more events. Waits for the thread to end.
     */
    void shutdown() throws InterruptedException {
        shutdown = true;
        epoll.wakeup();
        if (master != null) {
            java.util.concurrent.locks.LockSupport.unpark(thread);
        }
        thread.join();
    }

    /** The process-wide pollers, started on first use; sockets are sharded over them by fd. */
    static final class Group {
        private static final ReentrantLock START_LOCK = new ReentrantLock();
        private static volatile EpollPoller[] pollers;

        private Group() {}

        /**
         * Whether pollers are virtual threads parked on one platform master thread when idle, as
         * the JDK's own poller since JDK 22 ({@code -Dweft.netpoll.epoll.pollerThreads=virtual}),
         * instead of the default platform threads blocking in {@code epoll_wait}.
         */
        static boolean virtualPollers() {
            return "virtual".equalsIgnoreCase(System.getProperty("weft.netpoll.epoll.pollerThreads", "platform"));
        }

        /** {@code max(1, ncpus / 4)}, or the {@code weft.netpoll.epoll.pollers} property (1..64) when set. */
        static int pollerCount() {
            Integer configured = Integer.getInteger("weft.netpoll.epoll.pollers");
            if (configured != null && configured > 0) {
                return Math.min(configured, 64);
            }
            return Math.max(1, Runtime.getRuntime().availableProcessors() / 4);
        }

        /** The poller that owns {@code fd}; starts the pollers on first use. */
        static EpollPoller forFd(int fd) throws IOException {
            EpollPoller[] started = all();
            return started[Math.floorMod(fd, started.length)];
        }

        /**
         * All pollers, started if they were not yet. A failure to start (e.g. EMFILE) is thrown
         * to the caller and the next call tries again.
         */
        static EpollPoller[] all() throws IOException {
            EpollPoller[] started = pollers;
            if (started != null) {
                return started;
            }
            START_LOCK.lock();
            try {
                if (pollers == null) {
                    EpollPoller[] fresh = new EpollPoller[pollerCount()];
                    MasterPoller master = virtualPollers() ? new MasterPoller("weft-epoll-master", fresh.length) : null;
                    for (int i = 0; i < fresh.length; i++) {
                        try {
                            fresh[i] = new EpollPoller("weft-epoll-poller-" + i, master, i);
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
}

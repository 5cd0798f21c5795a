package io.weft.netpoll.epoll;

import io.weft.netpoll.PollerFailedException;
import io.weft.netpoll.spi.PollDescriptor;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
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
 * <h2>Death</h2>
 * {@code epoll_wait} fails only on programming errors (EBADF, EINVAL, EFAULT), so a loop that
 * gets an error does not retry: the poller is dead. It fails
 * every descriptor registered with it ({@link PollDescriptor#fail}), so every blocked call
 * wakes at once with {@link PollerFailedException} (the cause is the loop's error) instead of
 * waiting for a deadline or a close that may never come; later registrations on it fail with the
 * same exception, and {@link PollerGroup} gives new sockets to a live poller.
 *
 * <h2>Threads: three modes ({@link Mode})</h2>
 * <ul>
 * <li><b>Hybrid</b> (the default): a daemon platform thread blocks in {@code epoll_wait} while
 *     the sockets are idle, so an idle poller costs no carrier and no periodic wake-up. When a
 *     wait returns events that woke a virtual thread or latched a read for a socket whose last
 *     reader was virtual ({@link #dispatch}) it
 *     hands polling to a virtual <em>assistant</em> and parks (events only for platform
 *     threads, which gain nothing from a carrier, it just dispatches): the assistant polls without blocking and yields between rounds, so the threads
 *     it unparks run on its own carrier without waking another OS thread, and the platform
 *     thread stops competing for a CPU. Once its rounds have been empty for {@value
 *     #ASSISTANT_LINGER_NANOS} ns the assistant hands back. The platform thread
 *     checks every {@value #ASSISTANT_STALL_MILLIS} ms that the assistant is making rounds and
 *     polls itself when it is not (every carrier busy with CPU-bound work), so I/O never starves.
 * <li><b>Platform</b>: the platform thread only.</li>
 * <li><b>Virtual</b>: a virtual thread that only polls without blocking and parks on the {@link
 *     MasterPoller} when idle, the JDK's own design since JDK 22.</li>
 * </ul>
 * A blocking foreign call would pin a virtual thread's carrier, so virtual threads here only
 * poll with a zero timeout. {@link #register} and {@link #deregister} are called by connection
 * threads; they take {@link #tableLock}, which is never held across a syscall that blocks. The
 * polling threads read the table without a lock; two of them may dispatch at once (the kernel
 * gives each edge-triggered event to one waiter, and a descriptor's notify is a CAS).
 */
final class EpollPoller {
    private static final System.Logger LOG = System.getLogger(EpollPoller.class.getName());
    private static final int INITIAL_SLOTS = 64;
    private static final int READABLE = LibC.EPOLLIN | LibC.EPOLLRDHUP | LibC.EPOLLHUP | LibC.EPOLLERR;
    private static final int WRITABLE = LibC.EPOLLOUT | LibC.EPOLLHUP | LibC.EPOLLERR;

    /** How often the hybrid platform thread checks that a busy assistant still gets a carrier. */
    static final int ASSISTANT_STALL_MILLIS = 10;
    /**
     * How long the assistant keeps polling after its last event before it hands back. A request
     * and its reply are often a few microseconds apart; handing back at once made the platform
     * thread block and be woken again for the next one, and on a 2-vCPU Intel VM a parked
     * hand-off costs 50-72 µs (JMH). Cross-process 64-byte request/response there: 14.5k round
     * trips/s without the linger, 57k with 20 µs; longer lingers did worse (docs/benchmarks.md).
     * The cost is at most 20 µs of polling after each burst.
     */
    static final long ASSISTANT_LINGER_NANOS = 20_000;

    /** Which threads poll; see the class comment. */
    enum Mode { HYBRID, PLATFORM, VIRTUAL }

    /** One live registration; immutable, so the poller sees its sequence and descriptor together. */
    private record Registration(int sequence, PollDescriptor descriptor) {}

    private final String name;
    private final Epoll epoll;
    private final Thread thread;
    /** The hybrid mode's virtual assistant, else null. */
    private final Thread assistant;
    /** The assistant's own event array (null unless hybrid). */
    private final Epoll.EventArray assistantEvents;
    /** Whether the assistant is polling (set by the platform thread, cleared by the assistant). */
    private volatile boolean assistantActive;
    /** Rounds the assistant has polled; the platform thread's sign that it gets a carrier. */
    private volatile long assistantRounds;
    /** Busy periods handed to the assistant, and polls the platform thread made for a stalled one; for tests. */
    private volatile long handOffs;
    private volatile long stallPolls;
    /** The master this poller parks on when idle; null unless virtual. */
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
    /** Why the loop died (guarded by tableLock for writes), or null while it runs. */
    private volatile Throwable death;
    /** A failure the loop throws on its next round; null but in tests. */
    private volatile IOException injectedFailure;

    /** Creates the epoll instance and starts a hybrid poller's threads, named after {@code name}. */
    EpollPoller(String name) throws IOException {
        this(name, Mode.HYBRID, null, 0);
    }

    /**
     * Creates the epoll instance and starts its threads in {@code mode}; a virtual poller parks
     * on {@code master} (as its sub-poller {@code index}) when idle, the others ignore both.
     */
    EpollPoller(String name, Mode mode, MasterPoller master, int index) throws IOException {
        this.name = name;
        this.epoll = new Epoll();
        this.master = mode == Mode.VIRTUAL ? java.util.Objects.requireNonNull(master) : null;
        this.index = index;
        this.thread = switch (mode) {
            case HYBRID, PLATFORM -> Thread.ofPlatform().name(name).daemon().unstarted(this::run);
            case VIRTUAL -> Thread.ofVirtual().name(name).unstarted(this::runVirtual);
        };
        if (mode == Mode.HYBRID) {
            assistantEvents = epoll.new EventArray();
            assistant = Thread.ofVirtual().name(name + "-assistant").unstarted(this::runAssistant);
            assistant.start();
        } else {
            assistantEvents = null;
            assistant = null;
        }
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
            if (death != null) {
                throw new PollerFailedException("register with epoll poller " + name + ": poller failed: " + death, death);
            }
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
                checkInjectedFailure();
                dispatchReady(ready);
            }
        } catch (IOException | RuntimeException | Error e) {
            die(e);
        } finally {
            master.forget(epoll.fd());
            closeUnlessDead();
        }
    }

    /**
     * The platform thread's loop: block in {@code epoll_wait}, dispatch, and in hybrid mode hand
     * busy periods to the assistant.
     */
    private void run() {
        try {
            while (!shutdown) {
                checkInjectedFailure();
                int ready = epoll.await(-1);
                checkInjectedFailure();
                boolean lendCarrier = dispatchReady(ready);
                if (assistant != null && lendCarrier && !shutdown && assistant.isAlive()) {
                    awaitAssistant();
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            // epoll_wait only fails for programming errors (EBADF, EINVAL, EFAULT): nothing to retry.
            die(e);
        } finally {
            shutdown = true;
            if (assistant != null) {
                LockSupport.unpark(assistant);
                try {
                    assistant.join(); // it may still be in a zero-timeout epoll_wait on this instance
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            closeUnlessDead();
        }
    }

    /**
     * Marks this poller dead and fails every descriptor registered with it, so their waiters wake
     * with {@code cause} now; later {@link #register} calls fail. Runs once, on the dying loop's
     * thread, before the epoll instance is closed.
     */
    private void die(Throwable cause) {
        LOG.log(Level.ERROR, "weft epoll poller " + name + " stopped; failing the calls on its sockets", cause);
        AtomicReferenceArray<Registration> registered;
        tableLock.lock();
        try {
            death = cause;
            registered = table;
        } finally {
            tableLock.unlock();
        }
        // Outside the lock (fail unparks threads); a registration made before death was set is in
        // this table, and none can be made after.
        for (int i = 0; i < registered.length(); i++) {
            Registration registration = registered.get(i);
            if (registration != null) {
                registration.descriptor().fail(cause);
            }
        }
    }

    /**
     * Closes the epoll instance after a shutdown. A dead poller keeps it (two fds): connection
     * threads may still deregister from it or wake it, and must not hit fd numbers the kernel has
     * since reused.
     */
    private void closeUnlessDead() {
        if (death == null) {
            epoll.close();
        }
    }

    private void checkInjectedFailure() throws IOException {
        IOException failure = injectedFailure;
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Makes the loop fail with {@code failure} on its next round, as an unexpected {@code
     * epoll_wait} error would; for tests.
     */
    void injectFailure(IOException failure) {
        injectedFailure = failure;
        epoll.wakeup();
        LockSupport.unpark(thread);
    }

    /** Whether the loop has died; such a poller takes no new sockets. */
    boolean isDead() {
        return death != null;
    }

    /**
     * Dispatches the {@code ready} events of the last wait into the primary event array; returns
     * whether the assistant should take over ({@link #dispatch}).
     */
    private boolean dispatchReady(int ready) {
        boolean lendCarrier = false;
        for (int i = 0; i < ready; i++) {
            lendCarrier |= dispatch(epoll.tag(i), epoll.events(i));
        }
        return lendCarrier;
    }

    /** Hands polling to the assistant and parks until it hands back, polling itself if it stalls. */
    private void awaitAssistant() throws IOException {
        handOffs++;
        long roundsSeen = assistantRounds;
        assistantActive = true;
        LockSupport.unpark(assistant);
        while (assistantActive && !shutdown && assistant.isAlive()) {
            LockSupport.parkNanos(this, ASSISTANT_STALL_MILLIS * 1_000_000L);
            long rounds = assistantRounds;
            if (assistantActive && rounds == roundsSeen) {
                // No carrier for the assistant: poll on its behalf so sockets are not starved.
                stallPolls++;
                dispatchReady(epoll.await(0));
            }
            roundsSeen = rounds;
        }
    }

    /**
     * The hybrid assistant: while active, poll without blocking and yield; hand back once rounds
     * have been empty for {@link #ASSISTANT_LINGER_NANOS}.
     */
    private void runAssistant() {
        try {
            while (!shutdown) {
                if (!assistantActive) {
                    LockSupport.park(this);
                    continue;
                }
                int ready;
                long lastEventNanos = System.nanoTime();
                do {
                    Thread.yield(); // let the threads just unparked run on this carrier first
                    ready = shutdown ? 0 : epoll.await(0, assistantEvents);
                    assistantRounds++;
                    for (int i = 0; i < ready; i++) {
                        dispatch(assistantEvents.tag(i), assistantEvents.events(i));
                    }
                    if (ready > 0) {
                        lastEventNanos = System.nanoTime();
                    }
                } while (ready > 0 || (!shutdown && System.nanoTime() - lastEventNanos < ASSISTANT_LINGER_NANOS));
                assistantActive = false;
                LockSupport.unpark(thread);
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.log(Level.ERROR, "weft epoll poller " + name + ": assistant stopped; the platform thread polls alone", e);
            assistantActive = false;
            LockSupport.unpark(thread);
        }
    }

    /**
     * Hands one event to its descriptor, dropping stale tags. Poller thread (and tests).
     *
     * @return whether the hybrid poller should hand polling to its assistant: a virtual thread
     *     was unparked, or a read event was latched (a virtual reader may be about to wait).
     *     Events that went only to platform threads (unparked, or waiting in {@code poll(2)}
     *     themselves), or latched a write readiness nobody waits for, gain nothing from the
     *     assistant's carrier and would pay two more wake-ups for it (issue 12).
     */
    boolean dispatch(long tag, int events) {
        if (tag == Epoll.WAKEUP_TAG) {
            epoll.wakeupConsumed();
            return false;
        }
        int slot = (int) (tag >>> 32);
        AtomicReferenceArray<Registration> current = table;
        if (slot < 0 || slot >= current.length()) {
            return false;
        }
        Registration registration = current.get(slot);
        if (registration == null || registration.sequence() != (int) tag) {
            return false; // stale: the socket was deregistered (and its fd maybe reused) after the fetch
        }
        boolean lendCarrier = false;
        if ((events & READABLE) != 0) {
            PollDescriptor.Delivery delivery = registration.descriptor().notifyReadable();
            lendCarrier = delivery == PollDescriptor.Delivery.VIRTUAL_THREAD || delivery == PollDescriptor.Delivery.LATCHED;
        }
        if ((events & WRITABLE) != 0) {
            lendCarrier |= registration.descriptor().notifyWritable() == PollDescriptor.Delivery.VIRTUAL_THREAD;
        }
        return lendCarrier;
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

    /** The hybrid mode's assistant thread, or null; for tests. */
    Thread assistant() {
        return assistant;
    }

    /** Whether the hybrid assistant is polling now; for tests. */
    boolean assistantActive() {
        return assistantActive;
    }

    /** How many busy periods the hybrid poller handed to its assistant; for tests. */
    long handOffs() {
        return handOffs;
    }

    /** How many times the hybrid platform thread polled for a stalled assistant; for tests. */
    long stallPolls() {
        return stallPolls;
    }

    /**
     * Stops the loop and closes the epoll instance; for tests. Sockets still registered get no
     * more events. Waits for the thread to end.
     */
    void shutdown() throws InterruptedException {
        shutdown = true;
        epoll.wakeup();
        LockSupport.unpark(thread);
        thread.join();
    }
}

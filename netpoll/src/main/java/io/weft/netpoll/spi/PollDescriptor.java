package io.weft.netpoll.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * Go's {@code pollDesc} for one socket: a read slot and a write slot through which a poller
 * thread hands readiness to the one thread waiting in each direction, the per-direction
 * deadlines, the closing flag and the count of calls in flight.
 *
 * <h2>Slots</h2>
 * Each slot holds {@code null} (nothing pending), {@link #READY} (a readiness event nobody has
 * consumed yet) or the parked {@link Thread}. Transitions, all by CAS or atomic exchange:
 * <ul>
 *   <li>waiter: {@code READY -> null} consumes an event and returns without parking;
 *       {@code null -> thread} publishes the waiter, which then re-checks closing and its
 *       deadline (a close or an earlier deadline that ran before the publish did not see it) and
 *       parks; after waking it exchanges the slot back to {@code null} and returns
 *       {@link PollStatus#READY} only if it took {@code READY}.</li>
 *   <li>{@link #notifyReadable()} / {@link #notifyWritable()} (poller thread): exchange the slot
 *       to {@code READY}; if it held a thread, unpark it. So an event that arrives before the
 *       waiter parks is never lost, exactly as in Go's {@code netpollunblock(ioready=true)}.</li>
 *   <li>close or an earlier deadline: {@code thread -> null} and unpark, Go's
 *       {@code netpollunblock(ioready=false)}; the woken waiter re-evaluates.</li>
 * </ul>
 * Go needs a fourth state, {@code pdWait}, because a goroutine commits its park atomically with
 * the CAS. Java does not: {@link LockSupport} keeps a permit, so an unpark that lands between the
 * publish and the park makes the park return at once.
 *
 * <p>The read slot may instead hold a {@link KernelWaiter} ({@link #awaitRead(KernelWaiter)}): a
 * platform thread blocked in the kernel on the socket itself. Notifications leave it in place
 * (the kernel wakes it when the socket is really ready, and a stale event must not turn into a
 * latch that hides it from close); close, an earlier deadline and {@link #fail} take it out and
 * {@link KernelWaiter#wake() wake} it.
 *
 * <h2>Deadlines</h2>
 * Absolute times on the clock {@link #nanoTime()} (always positive), {@link #NO_DEADLINE}
 * ({@code 0}) for none and {@link #EXPIRED} ({@code -1}) for "already passed", as in Go's
 * {@code rd}/{@code wd}. A waiter parks with {@code parkNanos(remaining)} and re-checks when it
 * wakes, so there is no timer per connection: moving a deadline later needs no wake-up, moving it
 * earlier (or into the past) unparks the waiter so it parks again with the shorter time.
 *
 * <h2>In-flight count and close</h2>
 * Every I/O call brackets its use of the native handle with {@link #acquire()} and
 * {@link #release()}. {@link #close()} marks the descriptor closing (later {@code acquire} fail),
 * wakes both waiters, and the handle is released by whichever of {@code close} and the last
 * {@code release} sees the count reach zero: exactly one of them returns {@code true}. So a file
 * descriptor is never closed (and reused by the kernel) while a syscall still uses it.
 *
 * <h2>Threads</h2>
 * At most one thread waits in each direction at a time (the owner serializes its readers and its
 * writers); every other method may be called from any thread at any time.
 */
public final class PollDescriptor {
    /** Slot value meaning "a readiness event is pending". */
    private static final Object READY = new Object() {
        @Override
        public String toString() {
            return "READY";
        }
    };

    /** Deadline value meaning "no deadline". */
    public static final long NO_DEADLINE = 0;
    /** Deadline value meaning "the deadline has passed". */
    public static final long EXPIRED = -1;

    private static final int CLOSING = 1 << 30;
    private static final int RELEASED = 1 << 29;
    private static final int COUNT_MASK = RELEASED - 1;
    private static final long CLOCK_ORIGIN = System.nanoTime();

    private static final VarHandle READ_SLOT;
    private static final VarHandle WRITE_SLOT;
    private static final VarHandle REFS;
    private static final VarHandle READ_DEADLINE;
    private static final VarHandle WRITE_DEADLINE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            READ_SLOT = lookup.findVarHandle(PollDescriptor.class, "readSlot", Object.class);
            WRITE_SLOT = lookup.findVarHandle(PollDescriptor.class, "writeSlot", Object.class);
            REFS = lookup.findVarHandle(PollDescriptor.class, "refs", int.class);
            READ_DEADLINE = lookup.findVarHandle(PollDescriptor.class, "readDeadlineNanos", long.class);
            WRITE_DEADLINE = lookup.findVarHandle(PollDescriptor.class, "writeDeadlineNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through READ_SLOT
    private volatile Object readSlot;
    @SuppressWarnings("unused") // accessed through WRITE_SLOT
    private volatile Object writeSlot;
    /** Runs in every deadline setter just before its store; {@code null} but in tests. Visible for testing. */
    static volatile Runnable beforeDeadlineStore;
    /** Whether the last thread that waited to read was a platform thread; written only when it changes. */
    private volatile boolean platformReader;
    private volatile long readDeadlineNanos;
    private volatile long writeDeadlineNanos;
    /** In-flight count in the low bits, plus the CLOSING and RELEASED bits. */
    private volatile int refs;
    /** Why the poller stopped delivering events, or null; set once by {@link #fail}. */
    private volatile Throwable failure;

    /** Creates an open descriptor with no deadlines and nothing pending. */
    public PollDescriptor() {}

    /**
     * The clock deadlines are measured on: {@link System#nanoTime()} shifted so that it is always
     * positive, which leaves {@code 0} and {@code -1} free for {@link #NO_DEADLINE} and
     * {@link #EXPIRED}.
     */
    public static long nanoTime() {
        return System.nanoTime() - CLOCK_ORIGIN + 1;
    }

    /**
     * Converts a wall-clock deadline to this class's clock: {@code null} gives
     * {@link #NO_DEADLINE}, a time not after now gives {@link #EXPIRED}, a far-future time
     * saturates at {@link Long#MAX_VALUE}.
     */
    public static long deadlineNanos(Instant deadline) {
        if (deadline == null) {
            return NO_DEADLINE;
        }
        Instant now = Instant.now();
        if (!deadline.isAfter(now)) {
            return EXPIRED;
        }
        long remainingNanos;
        try {
            remainingNanos = Duration.between(now, deadline).toNanos();
        } catch (ArithmeticException tooFar) {
            return Long.MAX_VALUE;
        }
        return saturatedAdd(nanoTime(), remainingNanos);
    }

    /** The deadline {@code timeout} from now on this class's clock; {@code null} gives none. */
    public static long deadlineNanosAfter(Duration timeout) {
        if (timeout == null) {
            return NO_DEADLINE;
        }
        if (timeout.isNegative() || timeout.isZero()) {
            return EXPIRED;
        }
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooFar) {
            return Long.MAX_VALUE;
        }
        return saturatedAdd(nanoTime(), nanos);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < a ? Long.MAX_VALUE : sum;
    }

    // ---------------------------------------------------------------- poller side

    /** Whom a readiness notification reached; see {@link #notifyReadable()}. */
    public enum Delivery {
        /** Nobody was waiting: the event is latched for the next wait. */
        LATCHED,
        /**
         * Nobody was waiting and the last reader was a platform thread (it has just been woken by
         * the kernel, or is between reads): the event is latched, and most likely the platform
         * thread takes it, so a poller need not lend a carrier for it. Read side only.
         */
        LATCHED_FOR_PLATFORM,
        /** A parked virtual thread was unparked. */
        VIRTUAL_THREAD,
        /** A platform thread was unparked, or is waiting in the kernel ({@link KernelWaiter}). */
        PLATFORM_THREAD
    }

    /**
     * Signals read readiness (or hang-up); wakes the parked reader, else latches the event (a
     * reader blocked in the kernel through a {@link KernelWaiter} is left to the kernel).
     *
     * @return whom the event reached: a poller that lends its carrier to the virtual threads it
     *     wakes need not do so for platform threads
     */
    public Delivery notifyReadable() {
        Object old;
        do {
            old = READ_SLOT.getVolatile(this);
            if (old instanceof KernelWaiter) {
                return Delivery.PLATFORM_THREAD;
            }
        } while (!READ_SLOT.compareAndSet(this, old, READY));
        Delivery delivery = deliver(old);
        return delivery == Delivery.LATCHED && platformReader ? Delivery.LATCHED_FOR_PLATFORM : delivery;
    }

    /**
     * Signals write readiness; wakes the parked writer, else latches the event.
     *
     * @return whom the event reached; see {@link #notifyReadable()}
     */
    public Delivery notifyWritable() {
        return deliver(WRITE_SLOT.getAndSet(this, READY));
    }

    private static Delivery deliver(Object old) {
        if (old instanceof Thread waiter) {
            LockSupport.unpark(waiter);
            return waiter.isVirtual() ? Delivery.VIRTUAL_THREAD : Delivery.PLATFORM_THREAD;
        }
        return Delivery.LATCHED;
    }

    /**
     * Signals an error or hang-up condition: both directions become ready so that each waiter
     * retries its syscall and gets the real error (or end of stream) from it.
     */
    public void notifyError() {
        notifyReadable();
        notifyWritable();
    }

    // ---------------------------------------------------------------- waiter side

    /**
     * Prepares a read attempt (Go's {@code pollReset}): fails fast when closing or past the read
     * deadline, else drops a stale readiness event so that a later one is a fresh signal.
     */
    public PollStatus prepareRead() {
        return prepare(READ_SLOT, readDeadlineNanos);
    }

    /** Prepares a write attempt; see {@link #prepareRead()}. */
    public PollStatus prepareWrite() {
        return prepare(WRITE_SLOT, writeDeadlineNanos);
    }

    private PollStatus prepare(VarHandle slot, long deadline) {
        PollStatus error = checkError(deadline);
        if (error != null) {
            return error;
        }
        slot.compareAndSet(this, READY, null);
        return PollStatus.READY;
    }

    /**
     * Blocks the calling thread until the socket is readable, the read deadline passes, the
     * descriptor is closed or the thread is interrupted. May return {@link PollStatus#READY}
     * spuriously (a stale event); the caller retries its syscall and waits again on EAGAIN.
     * Only one thread may wait for reading at a time.
     */
    public PollStatus awaitRead() {
        return await(READ_SLOT, true, null);
    }

    /**
     * {@link #awaitRead()}, but a platform thread blocks in the kernel through {@code waiter}
     * instead of parking (a virtual thread, or a {@code null} waiter, parks as usual). Same
     * results, including spurious {@link PollStatus#READY}; close, deadlines, poller failure and
     * interrupt end the wait as promptly as a park's.
     */
    public PollStatus awaitRead(KernelWaiter waiter) {
        return await(READ_SLOT, true, waiter == null || Thread.currentThread().isVirtual() ? null : waiter);
    }

    /** Blocks until writable, the write deadline, close or interrupt; see {@link #awaitRead()}. */
    public PollStatus awaitWrite() {
        return await(WRITE_SLOT, false, null);
    }

    private PollStatus await(VarHandle slot, boolean read, KernelWaiter kernelWaiter) {
        Thread me = Thread.currentThread();
        Object waiter = kernelWaiter != null ? kernelWaiter : me;
        if (read && platformReader == me.isVirtual()) {
            platformReader = !me.isVirtual();
        }
        while (true) {
            PollStatus error = checkError(read ? readDeadlineNanos : writeDeadlineNanos);
            if (error != null) {
                return error;
            }
            if (me.isInterrupted()) {
                return PollStatus.INTERRUPTED;
            }
            Object current = slot.getVolatile(this);
            if (current == READY) {
                if (slot.compareAndSet(this, READY, null)) {
                    return PollStatus.READY;
                }
                continue;
            }
            if (current != null) {
                throw new IllegalStateException("two threads wait on one poll descriptor slot: " + current + " and " + me);
            }
            if (!slot.compareAndSet(this, null, waiter)) {
                continue; // an event arrived: take it on the next turn
            }
            // Published. Re-check: a close or earlier deadline set before the publish saw no waiter.
            long deadline = read ? readDeadlineNanos : writeDeadlineNanos;
            boolean socketReady = false;
            if (checkError(deadline) == null && !me.isInterrupted()) {
                if (deadline == NO_DEADLINE) {
                    if (kernelWaiter != null) {
                        socketReady = kernelWaiter.blockUntilReadable(-1);
                    } else {
                        LockSupport.park(this);
                    }
                } else {
                    long remainingNanos = deadline - nanoTime();
                    if (remainingNanos > 0 && kernelWaiter != null) {
                        socketReady = kernelWaiter.blockUntilReadable(remainingNanos);
                    } else if (remainingNanos > 0) {
                        LockSupport.parkNanos(this, remainingNanos);
                    }
                }
            }
            Object left = slot.getAndSet(this, null);
            if (left == READY || (socketReady && left == waiter)) {
                return PollStatus.READY;
            }
            // Still ours (timeout, interrupt, spurious wake-up) or cleared by close/deadline: re-evaluate.
        }
    }

    private PollStatus checkError(long deadline) {
        if ((refs & CLOSING) != 0) {
            return PollStatus.CLOSED;
        }
        if (failure != null) {
            return PollStatus.FAILED;
        }
        if (deadline != NO_DEADLINE && (deadline == EXPIRED || deadline - nanoTime() <= 0)) {
            return PollStatus.TIMED_OUT;
        }
        return null;
    }

    private void unblock(VarHandle slot) {
        Object current = slot.getVolatile(this);
        if (current instanceof Thread waiter && slot.compareAndSet(this, current, null)) {
            LockSupport.unpark(waiter);
        } else if (current instanceof KernelWaiter waiter && slot.compareAndSet(this, current, null)) {
            waiter.wake();
        }
    }

    // ---------------------------------------------------------------- deadlines

    /**
     * Sets the read deadline ({@link #NO_DEADLINE}, {@link #EXPIRED} or a time on
     * {@link #nanoTime()}); it applies to a read already waiting. Ignored once closing. Safe
     * against concurrent setters: see {@link #setDeadline}.
     */
    public void setReadDeadline(long deadlineNanos) {
        setDeadline(READ_DEADLINE, READ_SLOT, deadlineNanos);
    }

    /** Sets the write deadline; see {@link #setReadDeadline(long)}. */
    public void setWriteDeadline(long deadlineNanos) {
        setDeadline(WRITE_DEADLINE, WRITE_SLOT, deadlineNanos);
    }

    /**
     * Stores a deadline and wakes the waiter if it may be parked for a later one. The store is an
     * atomic exchange, so each setter compares its value with the one it actually replaced: with
     * setters racing, the values form one chain, and a chain that ends earlier than the value a
     * waiter parked for has a step that moved earlier after the waiter read it, whose setter
     * wakes the waiter. (A read followed by a separate store compared with a value another
     * setter might already have replaced, and could leave the waiter asleep: issue 13, defect 2.)
     */
    private void setDeadline(VarHandle deadline, VarHandle slot, long deadlineNanos) {
        Runnable hook = beforeDeadlineStore;
        if (hook != null) {
            hook.run();
        }
        long old = (long) deadline.getAndSet(this, deadlineNanos);
        if (movedEarlier(old, deadlineNanos)) {
            unblock(slot);
        }
    }

    /** The current read deadline on {@link #nanoTime()}, or {@link #NO_DEADLINE}/{@link #EXPIRED}. */
    public long readDeadlineNanos() {
        return readDeadlineNanos;
    }

    /** The current write deadline on {@link #nanoTime()}, or {@link #NO_DEADLINE}/{@link #EXPIRED}. */
    public long writeDeadlineNanos() {
        return writeDeadlineNanos;
    }

    /** Whether a waiter parked for {@code old} must wake to honour {@code updated}. */
    static boolean movedEarlier(long old, long updated) {
        if (updated == NO_DEADLINE || updated == old) {
            return false; // cleared or unchanged: the waiter re-checks when its park ends
        }
        if (updated == EXPIRED || old == NO_DEADLINE || old == EXPIRED) {
            return true;
        }
        return updated - old < 0;
    }

    // ---------------------------------------------------------------- in-flight count and close

    /**
     * Registers one call in flight. Returns {@code false} (and registers nothing) once the
     * descriptor is closing; the caller then fails with its closed error.
     */
    public boolean acquire() {
        while (true) {
            int current = refs;
            if ((current & CLOSING) != 0) {
                return false;
            }
            if ((current & COUNT_MASK) == COUNT_MASK) {
                throw new IllegalStateException("too many calls in flight");
            }
            if (REFS.compareAndSet(this, current, current + 1)) {
                return true;
            }
        }
    }

    /**
     * Ends one call registered by {@link #acquire()}. Returns {@code true} when this was the last
     * call of a closing descriptor: the caller must then release the native handle.
     */
    public boolean release() {
        int after = (int) REFS.getAndAdd(this, -1) - 1;
        return after == CLOSING && REFS.compareAndSet(this, CLOSING, CLOSING | RELEASED);
    }

    /**
     * Marks the descriptor closing and wakes both waiters (Go's {@code evict}). Returns
     * {@code true} when no call is in flight, in which case the caller must release the native
     * handle now; otherwise the last {@link #release()} will. Later calls return {@code false}.
     */
    public boolean close() {
        int before;
        do {
            before = refs;
            if ((before & CLOSING) != 0) {
                return false;
            }
        } while (!REFS.compareAndSet(this, before, before | CLOSING));
        unblock(READ_SLOT);
        unblock(WRITE_SLOT);
        return (before & COUNT_MASK) == 0 && REFS.compareAndSet(this, CLOSING, CLOSING | RELEASED);
    }

    /**
     * Marks the descriptor failed because its poller died and will deliver no more events (the
     * first cause is kept): both waiters wake, and this and every later wait and prepare return
     * {@link PollStatus#FAILED} (or {@link PollStatus#CLOSED} once closing). The in-flight count
     * and close work as before. Any thread; called by the dying poller.
     */
    public void fail(Throwable cause) {
        if (failure == null) {
            failure = java.util.Objects.requireNonNull(cause, "cause");
        }
        unblock(READ_SLOT);
        unblock(WRITE_SLOT);
    }

    /** Why the poller stopped ({@link #fail}), or {@code null} while it runs. */
    public Throwable failure() {
        return failure;
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosing() {
        return (refs & CLOSING) != 0;
    }

    /** Whether the native handle has been (or is being) released: closing and nothing in flight. */
    public boolean isReleased() {
        return (refs & RELEASED) != 0;
    }

    /**
     * Whether a read readiness event is latched and not yet consumed: the reader it woke has not
     * run yet, or nobody is reading. A level-triggered poller uses it to tell a socket still
     * readable because its reader is on the way from one that nobody reads. Any thread.
     */
    public boolean isReadLatched() {
        return READ_SLOT.getVolatile(this) == READY;
    }

    /** Whether a thread is parked (or about to park) waiting to read; visible for testing. */
    boolean hasReadWaiter() {
        Object current = READ_SLOT.getVolatile(this);
        return current instanceof Thread || current instanceof KernelWaiter;
    }

    /** Whether a thread is parked (or about to park) waiting to write; visible for testing. */
    boolean hasWriteWaiter() {
        return WRITE_SLOT.getVolatile(this) instanceof Thread;
    }

    @Override
    public String toString() {
        return "PollDescriptor[read=" + READ_SLOT.getVolatile(this) + ", write=" + WRITE_SLOT.getVolatile(this)
                + ", refs=" + (refs & COUNT_MASK) + (isClosing() ? ", closing" : "") + "]";
    }
}

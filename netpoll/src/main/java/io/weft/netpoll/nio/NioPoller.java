package io.weft.netpoll.nio;

import io.weft.netpoll.spi.PollDescriptor;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Selector and the thread that runs it (virtual or platform: {@link #THREADS_PROPERTY}). A
 * waiter that got "would block" marks itself waiting and ORs its op into the key's interest set,
 * waking the selector only when the op was not armed already ({@link #arm}). Write and connect interest is one-shot: when it fires the
 * poller thread removes it. Read and accept interest stays armed while someone keeps waiting for
 * it: the poller removes it only when it fires and no waiter marked itself since the previous
 * firing (the owner is busy or not reading, and a level-triggered Selector would otherwise report
 * the unread socket on every selection). So a connection whose reader blocks again after each
 * read (request/response) re-arms without a selector wake-up or an interest update, as the JDK's
 * own poller re-arms with one {@code epoll_ctl} in the caller. Every removal happens
 * <em>before</em> the poller notifies the key's {@link PollDescriptor}, so an arm that races with
 * a firing either sees the interest removed (and re-arms) or is followed by the notification: no
 * wake-up is lost.
 *
 * <p>A platform poller's next selection usually runs before the reader it woke has read, so the
 * level-triggered Selector reports the socket again. Such a report is not a new event (the one
 * latched in the descriptor is still unconsumed): the poller removes the read interest without
 * notifying, keeps the key on a list and polls (yielding between polls) instead of blocking until
 * the reader has consumed its event, then adds the interest back itself. The reader, back from its
 * read, finds the interest armed and waits with no interest update and no selector wake-up. A key
 * whose event stays unconsumed for {@link #AWAIT_CONSUMER_NANOS} (nobody reads) leaves the list
 * disarmed; its owner's next wait arms it as before. A pass that re-armed nothing and whose poll
 * reported nothing blocks in a selection for up to {@link #IDLE_SELECT_MILLIS} instead (an arm, a
 * close or a new event ends it; not while a close waits for its key to be dropped): at 512
 * connections on two cores the readers are slow to run, and a poller spinning for them took the
 * CPU they needed. Virtual pollers yield before polling again, so their woken readers usually run
 * first and need none of this.
 *
 * <p>Threads: {@link #register}, {@link #arm} and {@link #close} are called by connection
 * threads (any thread but the poller's); the loop runs on the poller thread only and never runs
 * user code.
 */
final class NioPoller {
    private static final System.Logger LOG = System.getLogger(NioPoller.class.getName());
    /** How long a platform poller waits, polling, for a woken reader to consume its event: 1 ms. */
    static final long AWAIT_CONSUMER_NANOS = 1_000_000;
    /**
     * How long a platform poller waiting for consumers blocks in a selection after a pass that
     * found nothing to do: 1 ms (the Selector's unit). An {@link #arm} or a new event ends it at
     * once; it only bounds how late the poller re-arms a key consumed meanwhile, whose reader then
     * arms it itself if it waits first. Measured: docs/benchmarks.md, "Issue 12, session 24".
     */
    static final long IDLE_SELECT_MILLIS = 1;

    /**
     * {@code weft.netpoll.nio.pollerThreads}: {@code virtual} runs each selector loop on a virtual
     * thread, {@code platform} on a platform daemon thread. The default is virtual where the JDK
     * parks (not pins) a virtual thread blocked in {@link Selector#select} (Linux, JDK 25 and
     * later), platform elsewhere (JDK 21 pins the carrier for the whole selection).
     */
    static final String THREADS_PROPERTY = "weft.netpoll.nio.pollerThreads";

    private final Selector selector;
    private final Thread thread;
    /** Whether {@link #thread} is virtual: it then polls without blocking and yields while busy. */
    private final boolean virtual;
    private final Queue<PendingClose> pendingCloses = new ConcurrentLinkedQueue<>();
    /** See {@link #registrations()}; {@link NioTransport} places new channels by it. */
    private final AtomicInteger registrations = new AtomicInteger();
    /**
     * Whether the poller thread may be blocked in (or entering) a selection: set just before each
     * blocking select, cleared when it reports its first key or returns. An interest update queued
     * while it is clear is applied by the next selection anyway, so {@link #arm} wakes the selector
     * only when it is set.
     */
    private volatile boolean selecting;
    /**
     * Platform pollers: keys whose read interest the poller removed because a selection reported
     * them again while the event it had latched for them was still unconsumed (a level-triggered
     * Selector reports a readable socket until it is read, and the woken reader had not run yet).
     * Poller thread only; see {@link #rearmConsumed}.
     */
    private final List<SelectionKey> awaitingConsumers = new ArrayList<>();
    /** {@link #AWAIT_CONSUMER_NANOS} unless a test set another. */
    private final long awaitConsumerNanos;
    /**
     * Platform pollers waiting for consumers: whether the last pass re-armed no key and its poll
     * reported none, so the next one blocks for at most {@link #IDLE_SELECT_MILLIS}. Poller thread only.
     */
    private boolean lastPassWasIdle;
    /** Keys the last poll or selection reported; poller thread only. */
    private int lastPassFired;
    /** Whether {@link #rearmConsumed} re-armed a key in its current pass; poller thread only. */
    private boolean rearmedThisPass;
    /**
     * Passes waiting for consumers that blocked ({@code idleSelects}) or polled ({@code
     * busyPolls}); written by the poller thread only, read by tests.
     */
    volatile long idleSelects;
    volatile long busyPolls;

    /**
     * Opens the selector and starts its loop on a virtual thread when {@code virtual} (see
     * {@link #THREADS_PROPERTY}), else on a platform daemon thread.
     */
    NioPoller(String threadName, boolean virtual) {
        this(threadName, virtual, AWAIT_CONSUMER_NANOS);
    }

    /** As {@link #NioPoller(String, boolean)} with another {@link #AWAIT_CONSUMER_NANOS}; for tests. */
    NioPoller(String threadName, boolean virtual, long awaitConsumerNanos) {
        this.awaitConsumerNanos = awaitConsumerNanos;
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a Selector for the nio poller", e);
        }
        this.virtual = virtual;
        thread = virtual
                ? Thread.ofVirtual().name(threadName).unstarted(this::loop)
                : Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::loop);
        thread.start();
    }

    /** Whether poller loops run on virtual threads; see {@link #THREADS_PROPERTY}. */
    static boolean virtualPollers() {
        String configured = System.getProperty(THREADS_PROPERTY, "");
        return switch (configured) {
            case "virtual" -> true;
            case "platform" -> false;
            default -> Runtime.version().feature() >= 25
                    && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
        };
    }

    /** Registers a channel (made non-blocking here) with no interest; readiness goes to {@code poll}. */
    SelectionKey register(SelectableChannel channel, PollDescriptor poll) throws IOException {
        channel.configureBlocking(false);
        SelectionKey key = channel.register(selector, 0, new Registration(poll));
        registrations.incrementAndGet();
        return key;
    }

    /** Channels registered here and not yet closed through {@link #close} or {@link #closeLater}. */
    int registrations() {
        return registrations.get();
    }

    /**
     * Asks for a notification of {@code ops} (one SelectionKey.OP_* bit) on {@code key}'s
     * descriptor: the caller is about to wait for it. Any thread but the poller's.
     */
    void arm(SelectionKey key, int ops) {
        Registration registration = (Registration) key.attachment();
        registration.markWaiting(ops); // before reading the interest set: see the class comment
        try {
            if ((key.interestOps() & ops) == ops || (key.interestOpsOr(ops) & ops) == ops) {
                return; // still armed, and the selector was woken when it was armed
            }
        } catch (CancelledKeyException closed) {
            // Only closeHandle cancels, once nothing is in flight; tell the waiter to re-check.
            registration.poll.notifyError();
            return;
        }
        // Dekker with loop(): the update is queued (interestOpsOr) before reading the flag, and the
        // poller sets the flag before a selection reads the queue; full fences order both sides.
        VarHandle.fullFence();
        if (selecting) {
            selector.wakeup();
        }
    }

    /**
     * Deregisters the channel and closes it, returning once the socket is really closed. The JDK
     * defers closing a registered channel until its selector has dropped the key, so the close
     * runs on the poller thread after a selection has done that; otherwise a closed listener would
     * keep its port (and reset connections queued on it) until the next selection, unlike Go.
     */
    void close(SelectionKey key, Closeable channel) throws IOException {
        registrations.decrementAndGet();
        key.cancel();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        pendingCloses.add(new PendingClose(key.channel(), channel, closed));
        selector.wakeup();
        try {
            closed.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /** Like {@link #close} but returns at once; the poller thread closes the channel. */
    void closeLater(SelectionKey key, Closeable channel) {
        registrations.decrementAndGet();
        key.cancel();
        pendingCloses.add(new PendingClose(key.channel(), channel, null));
        selector.wakeup();
    }

    /** A close waiting for its key to be deregistered; {@code closed} is null when nobody waits. */
    private record PendingClose(SelectableChannel registered, Closeable channel, CompletableFuture<Void> closed) {}

    private void loop() {
        List<PendingClose> notYetDeregistered = new ArrayList<>();
        while (selector.isOpen()) {
            try {
                if (virtual && selector.selectNow(this::fired) > 0) {
                    // A virtual poller polls while busy and yields between polls, as the JDK's own
                    // virtual-thread pollers do: the threads it woke run before it polls again.
                    Thread.yield();
                } else if (!virtual && rearmConsumed()) {
                    // A platform poller with woken readers still on their way polls instead of
                    // blocking, so it can re-arm their interest before they wait again: see fired.
                    // A pass that found nothing to do blocks for a moment instead: spinning took
                    // the CPU those readers needed (512 connections on two cores). Not while a
                    // close waits for its key to be dropped: its caller joins it (see below).
                    if (lastPassWasIdle && notYetDeregistered.isEmpty()) {
                        idleSelects++;
                        lastPassFired = blockingSelect(IDLE_SELECT_MILLIS);
                    } else {
                        busyPolls++;
                        Thread.yield();
                        lastPassFired = selector.selectNow(this::fired);
                    }
                } else if (notYetDeregistered.isEmpty() && pendingCloses.isEmpty()) {
                    // (A close queued after the selectNow above, which may have consumed an earlier
                    // close's wake-up, wakes this selection: its wakeup() follows its add.)
                    lastPassFired = blockingSelect(0);
                } else {
                    lastPassFired = selector.selectNow(this::fired); // completes the deregistration
                }
                PendingClose pending;
                List<PendingClose> retry = new ArrayList<>();
                for (PendingClose earlier : notYetDeregistered) {
                    closeOrRetry(earlier, retry);
                }
                while ((pending = pendingCloses.poll()) != null) {
                    closeOrRetry(pending, retry);
                }
                notYetDeregistered = retry;
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.ERROR, "nio poller " + thread.getName() + " select failed; retrying", e);
            }
        }
    }

    /**
     * Selects, blocking up to {@code timeoutMillis} (0: until something happens), with {@link
     * #selecting} set so that {@link #arm} wakes it; returns how many keys it reported.
     */
    private int blockingSelect(long timeoutMillis) throws IOException {
        selecting = true;
        VarHandle.fullFence(); // see arm
        try {
            return selector.select(this::fired, timeoutMillis);
        } finally {
            selecting = false;
        }
    }

    private static void closeOrRetry(PendingClose pending, List<PendingClose> retry) {
        if (pending.registered().isRegistered()) {
            retry.add(pending);
            return;
        }
        try {
            pending.channel().close();
            if (pending.closed() != null) {
                pending.closed().complete(null);
            }
        } catch (Throwable t) {
            if (pending.closed() != null) {
                pending.closed().completeExceptionally(t);
            } else {
                LOG.log(Level.DEBUG, "closing a channel after its last call failed", t);
            }
        }
    }

    private void fired(SelectionKey key) {
        if (selecting) {
            selecting = false; // past the wait: updates queued from now on wait for the next selection
        }
        Registration registration = (Registration) key.attachment();
        PollDescriptor poll = registration.poll;
        int ready;
        boolean notifyRead;
        try {
            ready = key.readyOps();
            int disarm = registration.disarmOnFiring(ready);
            notifyRead = (ready & Registration.KEPT_ARMED) != 0;
            int unwaited = disarm & Registration.KEPT_ARMED;
            if (!virtual && unwaited != 0) {
                if (!poll.isReadLatched()) {
                    disarm &= ~unwaited; // no waiter now, but its reader is busy: latch, keep armed
                } else {
                    notifyRead = false; // reported again before its reader consumed the last event
                    awaitConsumer(key, registration, unwaited);
                }
            }
            if (disarm != 0) {
                key.interestOpsAnd(~disarm); // before notifying: see the class comment
            }
        } catch (CancelledKeyException closed) {
            poll.notifyError();
            return;
        }
        if (notifyRead) {
            poll.notifyReadable();
        }
        if ((ready & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
            poll.notifyWritable();
        }
    }

    /** Puts a key whose latched read event is unconsumed on the list {@link #rearmConsumed} serves. */
    private void awaitConsumer(SelectionKey key, Registration registration, int ops) {
        if (registration.rearmOps == 0) {
            registration.rearmOps = ops;
            registration.disarmedAtNanos = System.nanoTime();
            awaitingConsumers.add(key);
        }
    }

    /**
     * Platform pollers: re-arms the keys of {@link #awaitingConsumers} whose latched read event has
     * been consumed (their reader is about to read, and will find the interest armed when it waits
     * again: no interest update, no wake-up), and drops those unconsumed for {@link
     * #AWAIT_CONSUMER_NANOS} (nobody reads; the owner's next wait arms as usual). Poller thread.
     *
     * @return whether keys are left, so the poller should poll rather than block
     */
    private boolean rearmConsumed() {
        if (awaitingConsumers.isEmpty()) {
            return false;
        }
        long now = System.nanoTime();
        int listed = awaitingConsumers.size();
        rearmedThisPass = false;
        awaitingConsumers.removeIf(key -> {
            Registration registration = (Registration) key.attachment();
            boolean consumed = !registration.poll.isReadLatched();
            if (!consumed && now - registration.disarmedAtNanos < awaitConsumerNanos) {
                return false;
            }
            int ops = registration.rearmOps;
            registration.rearmOps = 0;
            if (consumed && key.isValid()) {
                rearmedThisPass = true;
                try {
                    key.interestOpsOr(ops);
                } catch (CancelledKeyException closed) {
                    // closed meanwhile: nothing to re-arm
                }
            }
            return true;
        });
        lastPassWasIdle = !rearmedThisPass && awaitingConsumers.size() == listed && lastPassFired == 0;
        return !awaitingConsumers.isEmpty();
    }

    /**
     * A key's attachment: its descriptor and the ops whose waiters armed since the op last fired.
     * {@link #markWaiting} runs on waiter threads, {@link #disarmOnFiring} on the poller thread.
     */
    static final class Registration {
        static final int KEPT_ARMED = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;
        private static final VarHandle WAITING;

        static {
            try {
                WAITING = MethodHandles.lookup().findVarHandle(Registration.class, "waiting", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final PollDescriptor poll;
        /** Ops the poller removed while their event was unconsumed, to add back once consumed; poller thread only. */
        int rearmOps;
        /** When {@link #rearmOps} was set ({@link System#nanoTime}); poller thread only. */
        long disarmedAtNanos;
        /** OP_* bits of waiters that armed since that op last fired; accessed through WAITING. */
        @SuppressWarnings("unused")
        private volatile int waiting;

        Registration(PollDescriptor poll) {
            this.poll = poll;
        }

        void markWaiting(int ops) {
            if ((waiting & ops) != ops) {
                WAITING.getAndBitwiseOr(this, ops);
            }
        }

        /**
         * Of the {@code ready} ops, those to remove from the interest set: write and connect
         * always, read and accept when no waiter armed since they last fired. Clears the marks.
         */
        int disarmOnFiring(int ready) {
            int marked = (int) WAITING.getAndBitwiseAnd(this, ~ready);
            return ready & ~(marked & KEPT_ARMED);
        }
    }
}

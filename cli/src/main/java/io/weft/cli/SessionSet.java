package io.weft.cli;

import io.weft.yamux.Session;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live yamux sessions of a long-running command (echo, tunnel), with the totals of those
 * that ended: picks one for a new stream (round-robin, skipping sessions whose peer sent
 * GoAway(0): they drain their open streams but take no new ones), waits for one when there is
 * none, sends GoAway to all on SIGINT, and summarises. Any thread; {@code lock} guards {@code live} and is
 * never held across I/O.
 */
final class SessionSet {

    private static final System.Logger LOG = System.getLogger("io.weft.cli.sessions");

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Session> live = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final LongAdder sessionsTotal = new LongAdder();
    /** The final figures of the sessions that left {@link #live}. Guarded by lock. */
    private final SessionTotals ended = new SessionTotals();
    /** Accept errors and failed handshakes, counted by {@link Admission}; read by {@code --metrics}. */
    final ServerCounters counters = new ServerCounters();
    private volatile boolean draining;

    /** Registers a new session (wakes {@link #pick} callers waiting for one). */
    void add(Session session) {
        sessionsTotal.increment();
        lock.lock();
        try {
            live.add(session);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "session up: " + describe(session));
    }

    /** Records that a session ended (its accept loop returned, or its close future completed). */
    void ended(Session session) {
        session.close(); // first: its figures are final before they move from live to ended
        boolean removed;
        lock.lock();
        try {
            removed = retire(session);
        } finally {
            lock.unlock();
        }
        if (!removed) {
            return;
        }
        IOException cause = session.closeCause();
        LOG.log(System.Logger.Level.DEBUG, () -> "session down: " + describe(session)
                + (cause != null ? " (" + Failures.describe(cause) + ")" : ""));
    }

    /**
     * A live session for a new stream, round-robin; waits up to {@code timeout} for one. A session
     * whose peer sent GoAway(0) ({@link Session#remoteGoAway()}) is never picked: its peer refuses
     * new streams while it drains, so a connection given to it would only be reset. Such a session
     * stays registered (for the summary and the drain) until it ends.
     *
     * @return the session, or {@code null} if none came up in time
     */
    Session pick(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (Session closed : live.stream().filter(Session::isClosed).toList()) {
                    retire(closed);
                }
                int size = live.size();
                int start = Math.floorMod(next.getAndIncrement(), Math.max(size, 1));
                for (int i = 0; i < size; i++) {
                    Session candidate = live.get((start + i) % size);
                    if (!candidate.remoteGoAway()) {
                        return candidate;
                    }
                }
                if (nanos <= 0 || draining) {
                    return null;
                }
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #drain} has started. */
    boolean isDraining() {
        return draining;
    }

    /** Marks the set as stopping, before listeners close, so accept loops end quietly. */
    void beginDrain() {
        draining = true;
    }

    /** Sends GoAway on every live session and waits up to {@code budget} for them to end, then closes them. */
    void drain(Duration budget) throws InterruptedException {
        draining = true;
        List<Session> sessions = snapshot();
        for (Session s : sessions) {
            try {
                s.goAway();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "goAway: " + Failures.describe(e));
            }
        }
        long deadline = System.nanoTime() + budget.toNanos();
        for (Session s : sessions) {
            long left = deadline - System.nanoTime();
            if (left > 0 && s.streamCount() > 0) {
                s.awaitClose(Duration.ofNanos(left));
            }
        }
        for (Session s : sessions) {
            s.close();
        }
    }

    /**
     * Moves {@code session} from {@link #live} to {@link #ended}, its figures with it, in one step
     * under the lock, so that {@link #metrics()} never sees it twice or not at all.
     *
     * @return whether it was live
     */
    private boolean retire(Session session) {
        if (!live.remove(session)) {
            return false;
        }
        ended.add(session.stats());
        return true;
    }

    /** What {@link #metrics()} returns: counters over every session so far, gauges over the live ones. */
    record Metrics(long sessionsTotal, int sessionsOpen, SessionTotals totals) {
    }

    /**
     * One consistent view for {@code --metrics} and the summary: the counters of every session
     * so far (ended and live; each only ever grows) and the gauges of the live ones. Takes the
     * lock and each live session's lock briefly.
     */
    Metrics metrics() {
        lock.lock();
        try {
            SessionTotals totals = new SessionTotals();
            for (Session s : live) {
                totals.add(s.stats());
            }
            totals.addCounters(ended);
            return new Metrics(sessionsTotal.sum(), live.size(), totals);
        } finally {
            lock.unlock();
        }
    }

    /** One line: sessions, streams, resets and bytes so far, live and ended together. */
    String summary() {
        Metrics m = metrics();
        SessionTotals t = m.totals();
        return "sessions " + Format.count(m.sessionsTotal()) + " | streams " + Format.count(t.streams())
                + " (" + Format.count(t.resets()) + " reset) | in " + ByteSize.format(t.bytesIn) + " | out "
                + ByteSize.format(t.bytesOut);
    }

    private List<Session> snapshot() {
        lock.lock();
        try {
            return List.copyOf(live);
        } finally {
            lock.unlock();
        }
    }

    static String describe(Session s) {
        return (s.isClient() ? "client" : "server") + " " + Address.text(s.localAddress()) + " <-> " + Address.text(s.remoteAddress());
    }
}

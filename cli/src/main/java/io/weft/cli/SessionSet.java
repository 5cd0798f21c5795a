package io.weft.cli;

import io.weft.yamux.Session;
import io.weft.yamux.SessionStats;
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
    private final LongAdder endedStreams = new LongAdder();
    private final LongAdder endedResets = new LongAdder();
    private final LongAdder endedBytesIn = new LongAdder();
    private final LongAdder endedBytesOut = new LongAdder();
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
        boolean removed;
        lock.lock();
        try {
            removed = live.remove(session);
        } finally {
            lock.unlock();
        }
        if (!removed) {
            return;
        }
        session.close();
        SessionStats s = session.stats();
        endedStreams.add(s.streamsOpened() + s.streamsAccepted());
        endedResets.add(s.streamsReset());
        endedBytesIn.add(s.bytesIn());
        endedBytesOut.add(s.bytesOut());
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
                live.removeIf(Session::isClosed);
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

    /** One line: sessions, streams, resets and bytes so far, live and ended together. */
    String summary() {
        long streams = endedStreams.sum();
        long resets = endedResets.sum();
        long in = endedBytesIn.sum();
        long out = endedBytesOut.sum();
        for (Session s : snapshot()) {
            SessionStats st = s.stats();
            streams += st.streamsOpened() + st.streamsAccepted();
            resets += st.streamsReset();
            in += st.bytesIn();
            out += st.bytesOut();
        }
        return "sessions " + Format.count(sessionsTotal.sum()) + " | streams " + Format.count(streams)
                + " (" + Format.count(resets) + " reset) | in " + ByteSize.format(in) + " | out "
                + ByteSize.format(out);
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

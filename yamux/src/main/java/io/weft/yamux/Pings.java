package io.weft.yamux;

import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameType;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pings one session sends and the round-trip time they measure. User pings
 * ({@link Session#ping()}), keepalive pings and the RTT probes of window auto-tuning share one id
 * space and one map of pings awaiting their reply, so any reply, whoever asked, refreshes the
 * smoothed RTT and the minimum RTT. Window auto-tuning, where the kernel's RTT is not known
 * ({@link Transport#pathMinRttNanos}), uses the minimum: a bulk stream queues its
 * data in front of the probe replies, so the smoothed RTT grows with the window and would make
 * the window grow further (a 16 MiB window on loopback measured ~10 ms of queue).
 *
 * <p>Threads: application threads ({@link #ping()}; {@link #rttNanosForTuning()} from stream
 * reads), the session reader ({@link #onReply}, {@link #markReceived()}, and
 * {@link #rttNanosForTuning()} when it discards data), the shared timer ({@link #keepAlive}), and
 * whichever thread fails the session ({@link #failAll}). Has no lock of its own: the map is
 * concurrent, a probe is claimed by CAS so only one thread sends it, and every other field is a
 * single volatile value. Sending a ping takes only {@code Outbound}'s leaf lock.
 */
final class Pings {
    private record Pending(long sentNanos, CompletableFuture<Long> reply) {
    }

    private final Session session;
    private final AtomicInteger ids = new AtomicInteger();
    private final ConcurrentHashMap<Integer, Pending> pending = new ConcurrentHashMap<>();
    private volatile long rttNanos;
    /** The latest sample, 0 before the first. */
    private volatile long lastRttNanos;
    /** The smallest sample so far, 0 before the first; only ever lowered. */
    private final AtomicLong minRttNanos = new AtomicLong();
    private volatile long lastReceivedNanos;
    private volatile int keepAlivePingId;
    private volatile long keepAlivePingSentNanos;
    private volatile long lastRttSampleNanos;
    /** How many replies measured the RTT; written by the reader thread only. */
    private volatile int rttSamples;
    /** When the outstanding RTT probe was sent, 0 when none; claimed by CAS so one thread sends each probe. */
    private final AtomicLong rttProbeSentNanos = new AtomicLong();
    private volatile int rttProbeId;

    Pings(Session session) {
        this.session = session;
        this.lastReceivedNanos = session.clock.nanoTime();
    }

    /** See {@link Session#ping()}. */
    Duration ping() throws IOException {
        CompletableFuture<Long> reply = new CompletableFuture<>();
        return awaitReply(register(new Pending(session.clock.nanoTime(), reply)), reply,
                session.config.connectionWriteTimeout());
    }

    /** See {@link Session#ping(int, Duration)}. */
    Duration ping(int opaque, Duration timeout) throws IOException {
        java.util.Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<Long> reply = new CompletableFuture<>();
        if (pending.putIfAbsent(opaque, new Pending(session.clock.nanoTime(), reply)) != null) {
            throw new IllegalStateException("a ping with opaque value " + Integer.toUnsignedString(opaque)
                    + " is already awaiting its reply");
        }
        return awaitReply(opaque, reply, timeout);
    }

    /** Registers a ping under a fresh id, skipping any still in use (a caller's opaque value). */
    private int register(Pending ping) {
        while (true) {
            int id = ids.incrementAndGet();
            if (pending.putIfAbsent(id, ping) == null) {
                return id;
            }
        }
    }

    /** Sends the registered ping {@code id} and waits up to {@code timeout} for its reply. */
    private Duration awaitReply(int id, CompletableFuture<Long> reply, Duration timeout) throws IOException {
        try {
            // Registered first: a failure from now on fails the reply, one before it is seen here.
            session.throwIfClosed();
            if (!send(id)) {
                throw session.failureForCaller();
            }
            try {
                return Duration.ofNanos(reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                throw new KeepAliveTimeoutException("no ping reply within " + timeout);
            } catch (ExecutionException e) {
                throw Failures.forCaller((IOException) e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a ping reply");
            }
        } finally {
            pending.remove(id);
        }
    }

    /** The smoothed round-trip time, 0 before the first reply. */
    long rttNanos() {
        return rttNanos;
    }

    /** The latest round-trip time measured, 0 before the first reply. */
    long lastRttNanos() {
        return lastRttNanos;
    }

    /** The smallest round-trip time measured, 0 before the first reply. */
    long minRttNanos() {
        return minRttNanos.get();
    }

    /** How soon the first sample is refreshed: {@value} ms, doubling with each sample after it. */
    static final long FIRST_REFRESH_MILLIS = 100;

    /**
     * How old the newest sample may get before a tuning probe refreshes it, after {@code samples}
     * samples: 100 ms after the first, doubling with each one up to the keepalive interval. The
     * first samples are often taken while both ends are still starting (class loading, JIT, a
     * burst of first data), milliseconds where the link's own RTT is microseconds, and the
     * minimum would otherwise keep that figure for a whole keepalive interval.
     */
    static long refreshAfterNanos(int samples, long keepAliveIntervalNanos) {
        long first = TimeUnit.MILLISECONDS.toNanos(FIRST_REFRESH_MILLIS);
        int doublings = Math.max(0, samples - 1);
        if (doublings >= 32 || first << doublings >= keepAliveIntervalNanos) {
            return keepAliveIntervalNanos;
        }
        return first << doublings;
    }

    /**
     * The RTT for window auto-tuning: the minimum measured. A receiver busy with data is never
     * idle, so keepalive alone would never measure it: when no sample is younger than {@link
     * #refreshAfterNanos} (at most the keepalive interval), this sends one probe ping (at most one
     * outstanding) and returns the minimum we have (0 if none yet).
     */
    long rttNanosForTuning() {
        long now = session.clock.nanoTime();
        long sampleAge = now - lastRttSampleNanos;
        long probeSent = rttProbeSentNanos.get();
        if ((rttNanos == 0 || sampleAge > refreshAfterNanos(rttSamples, session.config.keepAliveInterval().toNanos()))
                && (probeSent == 0 || now - probeSent > session.config.connectionWriteTimeout().toNanos())
                && !session.isClosed()
                && rttProbeSentNanos.compareAndSet(probeSent, now)) {
            // The previous probe (if any) went unanswered for a whole write timeout: forget it, or
            // every lost probe would stay in the map for the session's lifetime.
            pending.remove(rttProbeId);
            int id = register(new Pending(now, null));
            rttProbeId = id;
            send(id);
        }
        return minRttNanos.get();
    }

    /** Any frame arrived: the connection is not idle, so no keepalive is due. */
    void markReceived() {
        lastReceivedNanos = session.clock.nanoTime();
    }

    /**
     * The keepalive check, on each timer tick: sends a keepalive ping once the connection has been
     * idle for {@link YamuxConfig#keepAliveInterval()}, at most one outstanding.
     *
     * @return {@code false} if the outstanding one went unanswered for a whole
     *     {@link YamuxConfig#connectionWriteTimeout()} (the session must fail)
     */
    boolean keepAlive(long nowNanos) {
        long sent = keepAlivePingSentNanos;
        if (sent != 0) {
            return nowNanos - sent <= session.config.connectionWriteTimeout().toNanos();
        }
        if (nowNanos - lastReceivedNanos >= session.config.keepAliveInterval().toNanos()) {
            int id = register(new Pending(nowNanos, null));
            keepAlivePingId = id;
            keepAlivePingSentNanos = nowNanos;
            send(id);
        }
        return true;
    }

    /**
     * The peer sent a ping request with {@code opaque}: shows it to the configured
     * {@link YamuxConfig#peerPingListener()} (on this, the reader thread), then queues the reply.
     * A listener that throws is logged and the ping still answered.
     */
    /** A ping frame from the reader: a request (SYN) is answered, a reply (ACK) completes its ping. */
    void onFrame(int flags, long opaque) {
        if ((flags & Flags.SYN) != 0) {
            onRequest((int) opaque);
        } else if ((flags & Flags.ACK) != 0) {
            onReply((int) opaque);
        }
    }

    void onRequest(int opaque) {
        try {
            session.config.peerPingListener().accept(session, opaque);
        } catch (RuntimeException e) {
            RateLimitedLog.LOGGER.log(System.Logger.Level.WARNING, session + ": peer ping listener failed", e);
        }
        session.outbound.writePingReplyLater(opaque); // never dropped; the reader throttles a peer that does not read
    }

    /** The peer answered ping {@code id}. Late or unsolicited replies are harmless and ignored. */
    void onReply(int id) {
        Pending ping = pending.remove(id);
        if (ping == null) {
            return;
        }
        long sample = Math.max(1, session.clock.nanoTime() - ping.sentNanos());
        long previous = rttNanos;
        rttNanos = previous == 0 ? sample : (previous + sample) / 2;
        lastRttNanos = sample;
        minRttNanos.accumulateAndGet(sample, (min, s) -> min == 0 ? s : Math.min(min, s));
        lastRttSampleNanos = session.clock.nanoTime();
        rttSamples++; // the reader thread is the only writer
        if (id == keepAlivePingId) {
            keepAlivePingSentNanos = 0;
        }
        if (id == rttProbeId) {
            rttProbeSentNanos.set(0);
        }
        if (ping.reply() != null) {
            ping.reply().complete(sample);
        }
    }

    /** The session failed: every waiting {@link #ping()} gets {@code cause}. */
    void failAll(IOException cause) {
        for (Pending ping : pending.values()) {
            if (ping.reply() != null) {
                ping.reply().completeExceptionally(cause);
            }
        }
        // No reply can matter now; ping() removes its own entry, probes and keepalives would not.
        pending.clear();
    }

    /** The id of the latest tuning probe; for tests. */
    int rttProbeId() {
        return rttProbeId;
    }

    /** Pings sent and still awaiting their reply. */
    int pendingCount() {
        return pending.size();
    }

    private boolean send(int id) {
        return session.outbound.writeControlLater(FrameType.PING, Flags.SYN, 0, Integer.toUnsignedLong(id));
    }
}

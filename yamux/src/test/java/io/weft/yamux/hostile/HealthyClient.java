package io.weft.yamux.hostile;

import io.weft.netpoll.Net;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A well-behaved Weft client of the victim, on a connection of its own: while an attack runs it
 * keeps one stream busy with 256-byte echo round trips (each bounded by a 5 s deadline, about 500
 * a second) and
 * records how many succeeded, the slowest, and the first failure. {@link #freshEcho} proves the
 * server still takes new sessions and streams.
 *
 * <p>Thread-safe; the round trips run on one virtual thread of their own.
 */
final class HealthyClient implements AutoCloseable {

    private static final Duration ROUND_TRIP_LIMIT = Duration.ofSeconds(5);
    /** Pause between round trips: about 500 per second, so the client measures and does not compete. */
    private static final long PACE_NANOS = 2_000_000L;

    private final InetSocketAddress victim;
    private final Session session;
    private final Stream stream;
    private final Thread loop;
    private final AtomicLong roundTrips = new AtomicLong();
    private final AtomicLong slowestNanos = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopped;

    HealthyClient(InetSocketAddress victim) throws IOException {
        this.victim = victim;
        session = Session.client(Net.dial("tcp", hostPort(victim), Duration.ofSeconds(5)), YamuxConfig.defaults());
        stream = session.openStream();
        loop = Thread.ofVirtual().name("healthy-client").start(this::run);
        // The first echo proves the victim has registered this session: its counts include it now.
        org.awaitility.Awaitility.await().atMost(ROUND_TRIP_LIMIT)
                .until(() -> roundTrips.get() > 0 || failure.get() != null);
        if (failure.get() != null) {
            throw new IOException("the healthy client's first echo failed", failure.get());
        }
    }

    static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    private void run() {
        byte[] request = new byte[256];
        ByteBuffer reply = ByteBuffer.allocate(request.length);
        try {
            for (long i = 0; !stopped; i++) {
                Arrays.fill(request, (byte) i);
                long start = System.nanoTime();
                stream.setDeadline(Instant.now().plus(ROUND_TRIP_LIMIT));
                ByteBuffer out = ByteBuffer.wrap(request);
                while (out.hasRemaining()) {
                    stream.write(out);
                }
                reply.clear();
                while (reply.hasRemaining()) {
                    if (stream.read(reply) < 0) {
                        throw new IOException("echo stream ended after " + roundTrips.get() + " round trips");
                    }
                }
                if (!Arrays.equals(reply.array(), request)) {
                    throw new IOException("echo returned other bytes");
                }
                slowestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                roundTrips.incrementAndGet();
                LockSupport.parkNanos(PACE_NANOS); // a steady client, not a second load generator
            }
        } catch (Throwable e) {
            if (!stopped) {
                failure.set(e);
            }
        }
    }

    /** Round trips completed so far. */
    long roundTrips() {
        return roundTrips.get();
    }

    /** The slowest round trip so far. */
    Duration slowest() {
        return Duration.ofNanos(slowestNanos.get());
    }

    /** The first failure, or null. */
    Throwable failure() {
        return failure.get();
    }

    /**
     * Opens a new session and stream to the victim, echoes {@code bytes} bytes, half-closes and
     * reads to the end: the server still serves newcomers.
     *
     * @throws IOException if any step fails or takes more than 5 s
     */
    static void freshEcho(InetSocketAddress victim, int bytes) throws IOException {
        try (Session fresh = Session.client(Net.dial("tcp", hostPort(victim), Duration.ofSeconds(5)),
                YamuxConfig.defaults());
                Stream echo = fresh.openStream()) {
            echo.setDeadline(Instant.now().plus(ROUND_TRIP_LIMIT));
            byte[] sent = new byte[bytes];
            new java.util.Random(bytes).nextBytes(sent);
            ByteBuffer out = ByteBuffer.wrap(sent);
            while (out.hasRemaining()) {
                echo.write(out);
            }
            echo.closeWrite();
            byte[] got = echo.inputStream().readAllBytes();
            if (!Arrays.equals(got, sent)) {
                throw new IOException("fresh echo returned " + got.length + " bytes, not the " + bytes + " sent");
            }
        }
    }

    /** A fresh echo from {@link #victim}'s point of view. */
    void freshEcho() throws IOException {
        freshEcho(victim, 64 * 1024);
    }

    @Override
    public void close() {
        stopped = true;
        session.close();
        try {
            loop.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

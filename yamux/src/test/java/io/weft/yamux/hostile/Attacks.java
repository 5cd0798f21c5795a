package io.weft.yamux.hostile;

import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The attacks, each a function of a {@link Victim} that opens its own hostile connection, runs,
 * and reports an {@link Outcome}: what the victim answered, how long it took to react, and a
 * {@link Victim.Snapshot} taken while the hostile connection was still open. Shared by the
 * asserting suite ({@link HostilePeerAttackTest}) and the figures run against Weft and
 * hashicorp/yamux ({@link HostileFiguresTest}), so both victims face the same bytes.
 *
 * <p>The attacker is always the yamux client (odd stream ids). Stateless; any thread.
 */
final class Attacks {

    /** How big the floods are: {@link #SHORT} for {@code ./build test}, {@link #LONG} for {@code -Pstress}. */
    record Scale(int pings, int syns, int resets, int zeroFrames, int slowStreams, int unreadPings) {
        static final Scale SHORT = new Scale(5_000, 1_000, 2_000, 50_000, 40, 200_000);
        static final Scale LONG = new Scale(200_000, 20_000, 100_000, 2_000_000, 200, 1_000_000);
    }

    /**
     * What one attack observed.
     *
     * @param response what the victim did, e.g. "GoAway(1), closed" or "64/64 answered"
     * @param reactNanos from the attack's last byte to the response (the GoAway or else the close,
     *     the last reply, the probe ping's reply after a flood), or -1 when there was none
     * @param during the victim's state with the hostile connection still open
     */
    record Outcome(String response, long reactNanos, Victim.Snapshot during) {

        /** The reaction time for the table: "12 ms", or "—". */
        String reaction() {
            if (reactNanos < 0) {
                return "—";
            }
            double millis = reactNanos / 1e6;
            return millis < 10 ? String.format("%.1f ms", millis) : String.format("%.0f ms", millis);
        }
    }

    /** How long a victim may take to answer or close before the attack records "no reaction". */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    private Attacks() {
    }

    // ---- malformed input: the victim should answer GoAway(1) and close ----

    /** One frame (or raw bytes) the protocol forbids, then wait for GoAway and close. */
    static Outcome malformed(Victim victim, Duration patience, Setup setup, byte[] offending) throws Exception {
        try (Attacker attacker = new Attacker(victim.address())) {
            setup.run(attacker);
            attacker.raw(offending).flush();
            Attacker.End end = attacker.awaitEnd(patience);
            Victim.Snapshot during = victim.snapshot();
            String closeTime = end.goAwayNanos() >= 0 && end.closed()
                    ? " after " + new Outcome("", end.nanos(), during).reaction() : "";
            return new Outcome(end.describe() + closeTime, end.reactNanos(), during);
        }
    }

    /** Frames to send before the offending one. */
    @FunctionalInterface
    interface Setup {
        void run(Attacker attacker) throws IOException;

        Setup NONE = a -> { };

        /** Opens stream 1 and waits until the victim has ACKed it (it is live and accepted). */
        Setup OPEN_STREAM_1 = a -> {
            a.send(FrameHeader.windowUpdate(1, Flags.SYN, 0));
            FrameHeader ack = a.read(PATIENCE);
            if (ack == null || !ack.has(Flags.ACK) || ack.streamId() != 1) {
                throw new IOException("victim did not ACK stream 1: " + ack);
            }
        };
    }

    static byte[] header(FrameHeader frame) {
        return frame.toBytes();
    }

    /** A header the codec refuses to write: any version and type byte. */
    static byte[] rawHeader(int version, int type, int flags, int streamId, long length) {
        return ByteBuffer.allocate(FrameHeader.SIZE).put((byte) version).put((byte) type).putShort((short) flags)
                .putInt(streamId).putInt((int) length).array();
    }

    static Outcome windowUpdateOverflow(Victim v, Duration patience) throws Exception {
        return malformed(v, patience, Setup.OPEN_STREAM_1, header(FrameHeader.windowUpdate(1, 0, 0xFFFF_FFFFL)));
    }

    static Outcome oversizedDataOnNewStream(Victim v, Duration patience) throws Exception {
        return malformed(v, patience, Setup.NONE, header(FrameHeader.data(1, Flags.SYN, 0xFFFF_FFFFL)));
    }

    static Outcome dataBeyondWindowOnLiveStream(Victim v, Duration patience) throws Exception {
        return malformed(v, patience, Setup.OPEN_STREAM_1, header(FrameHeader.data(1, 0, 256 * 1024 + 1)));
    }

    static Outcome hugeDataRst(Victim v, Duration patience) throws Exception {
        return malformed(v, patience, Setup.OPEN_STREAM_1, header(FrameHeader.data(1, Flags.RST, 0xFFFF_FF00L)));
    }

    static Outcome synWithServerParity(Victim v, Duration patience) throws Exception {
        return malformed(v, patience, Setup.NONE, header(FrameHeader.windowUpdate(2, Flags.SYN, 0)));
    }

    static Outcome duplicateSyn(Victim v, Duration patience) throws Exception {
        return malformed(v, patience, Setup.OPEN_STREAM_1, header(FrameHeader.windowUpdate(1, Flags.SYN, 0)));
    }

    static Outcome unknownType(Victim v, Duration patience) throws Exception {
        return malformed(v, patience, Setup.NONE, rawHeader(0, 4, 0, 0, 0));
    }

    static Outcome unknownVersion(Victim v, Duration patience) throws Exception {
        return malformed(v, patience, Setup.NONE, rawHeader(1, 2, Flags.SYN, 0, 1));
    }

    static Outcome garbage(Victim v, Duration patience) throws Exception {
        byte[] noise = new byte[4096];
        new Random(13).nextBytes(noise);
        noise[0] = (byte) 0xA7; // not version 0, whatever the seed
        return malformed(v, patience, Setup.NONE, noise);
    }

    static Outcome httpRequest(Victim v, Duration patience) throws Exception {
        byte[] request = "GET / HTTP/1.1\r\nHost: victim\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        return malformed(v, patience, Setup.NONE, request);
    }

    /**
     * A stream opened, echoed and finished by both FINs, then its id opened again. Weft and
     * hashicorp both forget a finished stream's id, so this records what a reused id gets.
     */
    static Outcome idReuseAfterClose(Victim v, Duration patience) throws Exception {
        int before = v.counts().streams();
        try (Attacker attacker = new Attacker(v.address()); Tally tally = new Tally(attacker)) {
            attacker.data(1, Flags.SYN | Flags.FIN, new byte[] {42}).flush();
            if (!tally.await(t -> t.fins() == 1, patience)) { // echoed and closed (hashicorp sends no ACK here)
                return new Outcome("first use not echoed", -1, v.snapshot());
            }
            streamsAtMost(v, before, patience);
            attacker.data(1, Flags.SYN | Flags.FIN, new byte[] {43}).flush();
            long sent = System.nanoTime();
            tally.await(t -> t.fins() == 2 || t.resets() > 0 || t.goAwayCode() != null || t.ended(), patience);
            long react = System.nanoTime() - sent;
            String response = tally.goAwayCode() != null ? "GoAway(" + tally.goAwayCode() + ")"
                    : tally.resets() > 0 ? "RST" : tally.fins() == 2 ? "accepted as a new stream" : "no answer";
            return new Outcome(response, response.equals("no answer") ? -1 : react, v.snapshot());
        }
    }

    // ---- floods from a peer that reads everything ----

    /** {@code count} pings in one write; every reply counted. */
    static Outcome pingBurst(Victim v, int count) throws Exception {
        try (Attacker attacker = new Attacker(v.address()); Tally tally = new Tally(attacker)) {
            for (int i = 0; i < count; i++) {
                attacker.frame(FrameHeader.ping(Flags.SYN, i));
            }
            attacker.flush();
            long sent = System.nanoTime();
            boolean all = tally.await(t -> t.pingReplies() >= count, PATIENCE);
            long react = System.nanoTime() - sent;
            Victim.Snapshot during = v.snapshot();
            return new Outcome(tally.pingReplies() + "/" + count + " answered", all ? react : -1, during);
        }
    }

    /**
     * {@code count} pings written as fast as the victim takes them while another thread reads
     * every reply; then how many were answered within {@link #PATIENCE}.
     */
    static Outcome pingFlood(Victim v, int count) throws Exception {
        try (Attacker attacker = new Attacker(v.address()); Tally tally = new Tally(attacker)) {
            for (int i = 0; i < count; i++) {
                attacker.frame(FrameHeader.ping(Flags.SYN, i));
            }
            attacker.flush();
            long sent = System.nanoTime();
            boolean all = tally.await(t -> t.pingReplies() >= count || t.ended(), PATIENCE);
            long react = System.nanoTime() - sent;
            Victim.Snapshot during = v.snapshot();
            String response = tally.pingReplies() + "/" + count + " answered" + endNote(tally);
            return new Outcome(response, all && !tally.ended() ? react : -1, during);
        }
    }

    /**
     * {@code count} SYNs; the victim's echo server accepts what it may. Then a probe ping: its
     * reply time is the reaction (the victim has gone through the whole flood).
     */
    static Outcome synFlood(Victim v, int count) throws Exception {
        try (Attacker attacker = new Attacker(v.address()); Tally tally = new Tally(attacker)) {
            for (int i = 0; i < count; i++) {
                attacker.frame(FrameHeader.windowUpdate(2 * i + 1, Flags.SYN, 0));
            }
            attacker.frame(FrameHeader.ping(Flags.SYN, Tally.PROBE)).flush();
            long react = tally.awaitProbe(System.nanoTime(), PATIENCE);
            tally.await(t -> t.acks() + t.resets() >= count || t.ended(), PATIENCE);
            Victim.Snapshot during = v.snapshot();
            String response = tally.acks() + " ACK, " + tally.resets() + " RST" + endNote(tally);
            return new Outcome(response, react, during);
        }
    }

    /**
     * Rapid reset: {@code count} times open a stream and reset it at once (two frames), as HTTP/2's
     * CVE-2023-44487. Then a probe ping; the response records the victim's streams afterwards.
     */
    static Outcome rapidReset(Victim v, int count) throws Exception {
        return openAndReset(v, count, false);
    }

    /** {@code count} frames {@code WindowUpdate|SYN|RST}: open and reset in one frame. */
    static Outcome synRstFlood(Victim v, int count) throws Exception {
        return openAndReset(v, count, true);
    }

    private static Outcome openAndReset(Victim v, int count, boolean oneFrame) throws Exception {
        int before = v.counts().streams();
        try (Attacker attacker = new Attacker(v.address()); Tally tally = new Tally(attacker)) {
            for (int i = 0; i < count; i++) {
                int id = 2 * i + 1;
                if (oneFrame) {
                    attacker.frame(FrameHeader.windowUpdate(id, Flags.SYN | Flags.RST, 0));
                } else {
                    attacker.frame(FrameHeader.windowUpdate(id, Flags.SYN, 0));
                    attacker.frame(FrameHeader.windowUpdate(id, Flags.RST, 0));
                }
            }
            attacker.frame(FrameHeader.ping(Flags.SYN, Tally.PROBE)).flush();
            long react = tally.awaitProbe(System.nanoTime(), PATIENCE);
            boolean drained = streamsAtMost(v, before, PATIENCE);
            Victim.Snapshot during = v.snapshot();
            String response = (react < 0 ? "probe unanswered" : "alive") + ", " + (during.streams() - before)
                    + " streams left" + (drained ? "" : " after " + PATIENCE.toSeconds() + " s") + endNote(tally);
            return new Outcome(response, react, during);
        }
    }

    /** Stream 1 opened, then {@code count} empty frames on it: data or window update. */
    static Outcome zeroLengthFlood(Victim v, int count, boolean data) throws Exception {
        try (Attacker attacker = new Attacker(v.address()); Tally tally = new Tally(attacker)) {
            attacker.send(FrameHeader.windowUpdate(1, Flags.SYN, 0));
            FrameHeader empty = data ? FrameHeader.data(1, 0, 0) : FrameHeader.windowUpdate(1, 0, 0);
            for (int i = 0; i < count; i++) {
                attacker.frame(empty);
            }
            attacker.frame(FrameHeader.ping(Flags.SYN, Tally.PROBE)).flush();
            long react = tally.awaitProbe(System.nanoTime(), PATIENCE);
            Victim.Snapshot during = v.snapshot();
            String response = (react < 0 ? "probe unanswered" : "ignored, session alive") + endNote(tally);
            return new Outcome(response, react, during);
        }
    }

    // ---- a peer that does not read ----

    /**
     * Writes {@code count} pings (or SYNs) on a connection whose receive side is never read (a 4 KiB
     * receive buffer); records whether the victim read them all within {@link #PATIENCE} or stopped
     * reading (throttled the peer), and takes the snapshot while the connection is still open.
     */
    static Outcome unreadFlood(Victim v, int count, boolean syns) throws Exception {
        try (Attacker attacker = new Attacker(v.address(), 4096)) {
            int batch = 4096;
            byte[] frames = new byte[batch * FrameHeader.SIZE];
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    OutputStream out = attacker.socket().getOutputStream();
                    long written = 0;
                    for (int i = 0; i < count; i += batch) {
                        for (int j = 0; j < batch; j++) {
                            FrameHeader frame = syns ? FrameHeader.windowUpdate(2 * (i + j) + 1, Flags.SYN, 0)
                                    : FrameHeader.ping(Flags.SYN, i + j);
                            frame.encode(frames, j * FrameHeader.SIZE);
                        }
                        out.write(frames);
                        written += batch;
                    }
                    return written;
                } catch (IOException e) {
                    return -1L;
                }
            }, task -> Thread.ofVirtual().start(task));
            long start = System.nanoTime();
            String response;
            long react;
            try {
                long written = writer.get(PATIENCE.toMillis() * 2, TimeUnit.MILLISECONDS);
                react = System.nanoTime() - start;
                response = written < 0 ? "closed the connection during the flood"
                        : "read all " + count + " (" + count * FrameHeader.SIZE / (1024 * 1024) + " MiB)";
            } catch (TimeoutException e) {
                react = -1;
                response = "stopped reading (peer throttled)";
            }
            Victim.Snapshot during = v.snapshot();
            return new Outcome(response, react, during);
        }
    }

    /**
     * Slow reader: opens {@code streams} streams and fills each one's window (256 KiB) with data
     * the echo server sends back, but never reads the connection (4 KiB receive buffer). The
     * victim's writes stall; the response is how long until it ends the session (the snapshot is
     * taken once its writes have stalled).
     */
    static Outcome slowReader(Victim v, int streams, Duration patience) throws Exception {
        int baseline = v.counts().sessions();
        try (Attacker attacker = new Attacker(v.address(), 4096)) {
            byte[] chunk = new byte[16 * 1024];
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int s = 0; s < streams; s++) {
                        int id = 2 * s + 1;
                        attacker.frame(FrameHeader.windowUpdate(id, Flags.SYN, 0));
                        for (int sent = 0; sent < FrameHeader.INITIAL_STREAM_WINDOW; sent += chunk.length) {
                            attacker.data(id, 0, chunk);
                        }
                    }
                    attacker.flush();
                } catch (IOException e) {
                    // the victim gave up on us: fine
                }
            }, task -> Thread.ofVirtual().start(task));
            long start = System.nanoTime();
            try {
                writer.get(patience.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // the victim stopped reading too (its echo threads are stuck writing)
            }
            Victim.Snapshot during = v.snapshot();
            long left = patience.toNanos() - (System.nanoTime() - start);
            boolean ended = sessionsAtMost(v, baseline, Duration.ofNanos(Math.max(0, left)));
            long react = ended ? System.nanoTime() - start : -1;
            String response = ended ? "session closed (write timeout)"
                    : "still open after " + patience.toSeconds() + " s";
            return new Outcome(response, react, during);
        }
    }

    // ---- helpers ----

    private static String endNote(Tally tally) {
        if (tally.goAwayCode() != null) {
            return "; GoAway(" + tally.goAwayCode() + ")" + (tally.ended() ? ", closed" : "");
        }
        return tally.ended() ? "; closed" : "";
    }

    /** Polls the victim (a snapshot each 50 ms) until it holds at most {@code streams} streams. */
    static boolean streamsAtMost(Victim v, int streams, Duration timeout) {
        return poll(() -> v.counts().streams() <= streams, timeout);
    }

    /** Polls the victim until it holds at most {@code sessions} sessions. */
    static boolean sessionsAtMost(Victim v, int sessions, Duration timeout) {
        return poll(() -> v.counts().sessions() <= sessions, timeout);
    }

    /** Polls the victim until its sessions and threads are back to {@code before}'s. */
    static boolean settled(Victim v, Victim.Snapshot before, Duration timeout) {
        return poll(() -> {
            Victim.Snapshot now = v.counts();
            return now.sessions() <= before.sessions() && now.threads() <= before.threads();
        }, timeout);
    }

    private static boolean poll(java.util.concurrent.Callable<Boolean> condition, Duration timeout) {
        try {
            org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50))
                    .pollInSameThread().until(condition);
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }
}

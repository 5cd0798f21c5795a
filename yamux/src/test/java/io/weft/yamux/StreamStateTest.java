package io.weft.yamux;

import static io.weft.yamux.StreamEffect.ARM_CLOSE_TIMER;
import static io.weft.yamux.StreamEffect.CANCEL_OPEN_TIMER;
import static io.weft.yamux.StreamEffect.CANCEL_TIMERS;
import static io.weft.yamux.StreamEffect.DISCARD_UNREAD;
import static io.weft.yamux.StreamEffect.DROP_UNREAD;
import static io.weft.yamux.StreamEffect.LEAVE_ACCEPT_QUEUE;
import static io.weft.yamux.StreamEffect.RELEASE;
import static io.weft.yamux.StreamEffect.RELEASE_ACK_SLOT;
import static io.weft.yamux.StreamEffect.REMOVE;
import static io.weft.yamux.StreamEffect.SEND_ACK;
import static io.weft.yamux.StreamEffect.SEND_FIN;
import static io.weft.yamux.StreamEffect.SEND_RST;
import static io.weft.yamux.StreamEffect.WITHDRAW_DATA;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.yamux.StreamState.Cleanup;
import io.weft.yamux.StreamState.Event;
import io.weft.yamux.StreamState.Local;
import io.weft.yamux.StreamState.Opening;
import io.weft.yamux.StreamState.Phase;
import io.weft.yamux.StreamState.Transition;
import io.weft.yamux.StreamState.Writer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The stream lifecycle's transition function, alone: every event in every state, then paths through it. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamStateTest {

    /**
     * Every state reachable from a new outbound or inbound stream, over every event the stream can
     * deliver (a frame is granted only when the stream may write and none is in flight; it leaves
     * only when granted; only inbound streams are accepted), with data buffered or not.
     */
    static List<StreamState> reachableStates() {
        Set<StreamState> seen = new LinkedHashSet<>(List.of(StreamState.outbound(), StreamState.inbound()));
        ArrayDeque<StreamState> todo = new ArrayDeque<>(seen);
        while (!todo.isEmpty()) {
            StreamState s = todo.poll();
            for (Event e : Event.values()) {
                if (!possible(s, e)) {
                    continue;
                }
                for (boolean drained : new boolean[] {false, true}) {
                    StreamState n = s.on(e, drained, 9).next();
                    if (seen.add(n)) {
                        todo.add(n);
                    }
                }
            }
        }
        return new ArrayList<>(seen);
    }

    /** Whether {@code e} can happen to a stream in {@code s} (the guards {@link io.weft.yamux.Stream} keeps). */
    static boolean possible(StreamState s, Event e) {
        return switch (e) {
            case FRAME_GRANTED -> s.canWrite() && s.writer() == Writer.IDLE && s.cleanup() == Cleanup.LIVE;
            case FRAME_LEFT -> s.writer() != Writer.IDLE;
            case ACCEPTED -> s.opening() == Opening.UNACCEPTED || s.opening() == Opening.SETTLED;
            // The session delivers frames and timeouts only to registered streams.
            case ACK_RECEIVED, FIN_RECEIVED, RST_RECEIVED, OPEN_TIMEOUT -> s.cleanup() == Cleanup.LIVE;
            default -> true;
        };
    }

    static Stream<StreamState> states() {
        return reachableStates().stream();
    }

    @Test
    void theReachableStatesAreTheExpectedFew() {
        List<StreamState> states = reachableStates();
        assertThat(states).hasSizeBetween(50, 400);
        assertThat(states).noneMatch(s -> s.writer() == Writer.SENDING_FIN_OWED && s.canSendFin());
        assertThat(states).noneMatch(s -> s.cleanup() != Cleanup.LIVE && s.opening() != Opening.SETTLED);
    }

    @ParameterizedTest
    @MethodSource("states")
    void everyEventInThisStateKeepsTheInvariants(StreamState s) {
        for (Event e : Event.values()) {
            if (!possible(s, e)) {
                continue;
            }
            for (boolean drained : new boolean[] {false, true}) {
                Transition t = s.on(e, drained, 0xFFFF_FFF0L);
                StreamState n = t.next();
                String what = s + " + " + e + (drained ? " (drained)" : "");
                // Terminal phases stay; a stream never comes back.
                if (s.isTerminal()) {
                    assertThat(n.phase()).as(what).isEqualTo(s.phase());
                }
                if (!s.peerMaySend()) {
                    assertThat(n.peerMaySend()).as(what).isFalse();
                }
                if (!s.canWrite()) {
                    assertThat(n.canWrite()).as(what).isFalse();
                }
                assertThat(n.local().ordinal()).as(what).isGreaterThanOrEqualTo(s.local().ordinal());
                assertThat(n.cleanup().ordinal()).as(what).isGreaterThanOrEqualTo(s.cleanup().ordinal());
                // Removal and release happen exactly when the registration moves, once each.
                assertThat(t.has(REMOVE)).as(what).isEqualTo(s.cleanup() == Cleanup.LIVE && n.cleanup() != Cleanup.LIVE
                        && e != Event.SESSION_CLOSED);
                assertThat(t.has(RELEASE)).as(what).isEqualTo(s.cleanup() != Cleanup.RELEASED
                        && n.cleanup() == Cleanup.RELEASED && e != Event.SESSION_CLOSED);
                if (t.has(REMOVE)) {
                    assertThat(t.has(CANCEL_TIMERS)).as(what).isTrue();
                    assertThat(n.isDone()).as(what).isTrue();
                }
                if (s.cleanup() == Cleanup.LIVE && n.isDone() && e != Event.SESSION_CLOSED) {
                    assertThat(t.has(REMOVE)).as(what + ": a finished stream is removed").isTrue();
                }
                // Defect 1: a close timer is never armed for a stream that is over.
                if (t.has(ARM_CLOSE_TIMER)) {
                    assertThat(n.isDone()).as(what).isFalse();
                    assertThat(n.cleanup()).as(what).isEqualTo(Cleanup.LIVE);
                    assertThat(t.has(CANCEL_TIMERS)).as(what).isFalse();
                }
                // One FIN and one RST at most, and never both.
                assertThat(t.has(SEND_FIN) && t.has(SEND_RST)).as(what).isFalse();
                if (t.has(SEND_FIN)) {
                    boolean decidedNow = s.canSendFin() && !n.canSendFin() && n.writer() != Writer.SENDING_FIN_OWED;
                    boolean owedPaid = e == Event.FRAME_LEFT && s.writer() == Writer.SENDING_FIN_OWED;
                    assertThat(decidedNow || owedPaid).as(what).isTrue();
                }
                if (t.has(SEND_RST)) {
                    assertThat(s.isTerminal()).as(what).isFalse();
                    assertThat(n.phase()).as(what).isEqualTo(Phase.RESET);
                    assertThat(n.resetByPeer()).as(what).isFalse();
                    assertThat(t.has(WITHDRAW_DATA)).as(what + ": no data follows our RST").isTrue();
                }
                // The ACK slot is given back once: only by a state that held it.
                if (t.has(RELEASE_ACK_SLOT)) {
                    assertThat(s.opening().holdsAckSlot()).as(what).isTrue();
                    assertThat(n.opening().holdsAckSlot()).as(what).isFalse();
                }
                if (t.has(SEND_ACK)) {
                    assertThat(s.opening()).as(what).isEqualTo(Opening.UNACCEPTED);
                }
                if (t.has(LEAVE_ACCEPT_QUEUE)) {
                    assertThat(s.opening()).as(what).isEqualTo(Opening.UNACCEPTED);
                }
                // Once released (or the session ended) nothing more reaches the session or the wire.
                if (s.cleanup() == Cleanup.RELEASED) {
                    assertThat(t.has(REMOVE) || t.has(RELEASE) || t.has(RELEASE_ACK_SLOT) || t.has(LEAVE_ACCEPT_QUEUE)
                            || t.has(SEND_FIN) || t.has(SEND_RST) || t.has(SEND_ACK) || t.has(ARM_CLOSE_TIMER))
                            .as(what).isFalse();
                }
            }
        }
    }

    @Test
    void receivedFlagsMoveThePhaseAsTheSpecSays() {
        StreamState open = StreamState.outbound();
        assertThat(open.on(Event.FIN_RECEIVED, true).next().phase()).isEqualTo(Phase.REMOTE_CLOSE);
        StreamState localClose = open.on(Event.CLOSE_WRITE, true).next();
        assertThat(localClose.phase()).isEqualTo(Phase.LOCAL_CLOSE);
        Transition closed = localClose.on(Event.FIN_RECEIVED, true);
        assertThat(closed.next().phase()).isEqualTo(Phase.CLOSED);
        assertThat(closed.has(REMOVE)).isTrue();
        // A late RST after a clean close changes nothing; a duplicate FIN is ignored.
        assertThat(closed.next().on(Event.RST_RECEIVED, true, 3).next().phase()).isEqualTo(Phase.CLOSED);
        StreamState remoteClose = open.on(Event.FIN_RECEIVED, true).next();
        assertThat(remoteClose.on(Event.FIN_RECEIVED, true).effects() & ~StreamEffect.WAKE_READERS).isZero();
        Transition reset = open.on(Event.RST_RECEIVED, false, 0x8000_0001L);
        assertThat(reset.next().phase()).isEqualTo(Phase.RESET);
        assertThat(reset.next().resetCode()).as("codes are unsigned").isEqualTo(0x8000_0001L);
        assertThat(reset.next().resetByPeer()).isTrue();
        assertThat(reset.has(SEND_RST)).isFalse();
        assertThat(reset.has(DROP_UNREAD)).isTrue();
    }

    @Test
    void ackSettlesTheOpeningOnceAndCancelsTheOpenTimer() {
        Transition acked = StreamState.outbound().on(Event.ACK_RECEIVED, true);
        assertThat(acked.next().opening()).isEqualTo(Opening.SETTLED);
        assertThat(acked.has(CANCEL_OPEN_TIMER) && acked.has(RELEASE_ACK_SLOT)).isTrue();
        assertThat(acked.next().on(Event.ACK_RECEIVED, true).effects()).as("duplicate ACK").isZero();
    }

    @Test
    void openTimeoutResetsOnlyAStreamThatCarriedNoData() {
        StreamState fresh = StreamState.outbound();
        assertThat(fresh.on(Event.OPEN_TIMEOUT, true).has(SEND_RST)).isTrue();
        // Defect 10: rust-yamux ACKs lazily, with its first frame; a stream carrying our data is healthy.
        StreamState carrying = fresh.on(Event.FRAME_GRANTED, true).next().on(Event.FRAME_LEFT, true).next();
        assertThat(carrying.opening()).isEqualTo(Opening.UNACKED_CARRYING_DATA);
        assertThat(carrying.on(Event.OPEN_TIMEOUT, true).effects()).isZero();
        assertThat(carrying.on(Event.ACK_RECEIVED, true).has(RELEASE_ACK_SLOT)).isTrue();
    }

    @Test
    void finDecidedWhileAFrameIsInFlightIsSentByItsWriter() {
        StreamState sending = StreamState.outbound().on(Event.ACK_RECEIVED, true).next()
                .on(Event.FIN_RECEIVED, true).next().on(Event.FRAME_GRANTED, true).next();
        Transition close = sending.on(Event.CLOSE, true);
        assertThat(close.has(SEND_FIN)).isFalse();
        assertThat(close.next().writer()).isEqualTo(Writer.SENDING_FIN_OWED);
        assertThat(close.next().phase()).isEqualTo(Phase.CLOSED);
        assertThat(close.has(REMOVE)).as("stays registered until the FIN is queued").isFalse();
        assertThat(close.has(ARM_CLOSE_TIMER)).isTrue();
        Transition left = close.next().on(Event.FRAME_LEFT, true);
        assertThat(left.has(SEND_FIN) && left.has(REMOVE) && left.has(CANCEL_TIMERS)).isTrue();
    }

    @Test
    void closeDiscardsUnreadDataAndRemovalWaitsForIt() {
        StreamState inbound = StreamState.inbound().on(Event.ACCEPTED, true).next();
        // The peer's FIN arrives with data unread, then the peer resets: over, but the unread bytes
        // stay charged until they are dropped, which a reset does at once.
        Transition fin = inbound.on(Event.FIN_RECEIVED, false);
        Transition closeWrite = fin.next().on(Event.CLOSE_WRITE, false);
        assertThat(closeWrite.has(REMOVE)).isTrue();
        assertThat(closeWrite.next().cleanup()).isEqualTo(Cleanup.REMOVED);
        assertThat(closeWrite.has(RELEASE)).isFalse();
        Transition drained = closeWrite.next().on(Event.DRAINED, true);
        assertThat(drained.has(RELEASE)).isTrue();
        Transition close = closeWrite.next().on(Event.CLOSE, false);
        assertThat(close.has(DISCARD_UNREAD) && close.has(RELEASE)).isTrue();
        assertThat(close.has(ARM_CLOSE_TIMER)).as("nothing left to wait for").isFalse();
    }

    @Test
    void streamResetBeforeItIsAcceptedLeavesTheAcceptQueue() {
        Transition reset = StreamState.inbound().on(Event.RST_RECEIVED, true, 0);
        assertThat(reset.has(LEAVE_ACCEPT_QUEUE) && reset.has(REMOVE) && reset.has(RELEASE)).isTrue();
        assertThat(reset.next().on(Event.ACCEPTED, true).has(SEND_ACK)).as("no ACK for a dead stream").isFalse();
    }

    /** Random paths from both starting states: each one-shot effect happens at most once, and every end is clean. */
    @Test
    void randomPathsEmitEachOneShotEffectAtMostOnce() {
        SplittableRandom random = new SplittableRandom(42);
        Event[] events = Event.values();
        for (int path = 0; path < 20_000; path++) {
            StreamState s = random.nextBoolean() ? StreamState.outbound() : StreamState.inbound();
            boolean outbound = s.opening() == Opening.UNACKED;
            int fins = 0;
            int rsts = 0;
            int removes = 0;
            int releases = 0;
            int ackSlots = 0;
            boolean sessionClosed = false;
            boolean buffered = false;
            List<Event> trail = new ArrayList<>();
            for (int step = 0; step < 12; step++) {
                Event e = events[random.nextInt(events.length)];
                if (!possible(s, e) || (e == Event.ACCEPTED && outbound)) {
                    continue;
                }
                if (random.nextInt(4) == 0 && s.peerMaySend() && !s.readClosed()) {
                    buffered = true; // data arrived
                }
                trail.add(e);
                Transition t = s.on(e, !buffered, 5);
                if (t.has(DROP_UNREAD) || t.has(DISCARD_UNREAD)) {
                    buffered = false;
                }
                s = t.next();
                fins += t.has(SEND_FIN) ? 1 : 0;
                rsts += t.has(SEND_RST) ? 1 : 0;
                removes += t.has(REMOVE) ? 1 : 0;
                releases += t.has(RELEASE) ? 1 : 0;
                ackSlots += t.has(RELEASE_ACK_SLOT) ? 1 : 0;
                sessionClosed |= e == Event.SESSION_CLOSED;
            }
            String what = trail.toString() + " -> " + s;
            assertThat(fins).as(what).isLessThanOrEqualTo(1);
            assertThat(rsts).as(what).isLessThanOrEqualTo(1);
            assertThat(removes).as(what).isLessThanOrEqualTo(1);
            assertThat(releases).as(what).isLessThanOrEqualTo(removes);
            assertThat(ackSlots).as(what).isLessThanOrEqualTo(outbound ? 1 : 0);
            if (s.isDone() && !sessionClosed) {
                assertThat(removes).as(what).isEqualTo(1);
                if (outbound) {
                    assertThat(ackSlots).as(what + ": a finished stream gave its un-ACKed slot back").isEqualTo(1);
                }
            }
        }
    }
}

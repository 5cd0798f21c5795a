package io.weft.yamux;

/**
 * The whole lifecycle of one stream as one immutable value, and the one pure function that moves
 * it: {@link #on(Event, boolean)} returns the next state and the {@link StreamEffect effects} the
 * stream must apply (frames to queue, credit to return, timers to arm or cancel, removal from the
 * session). Nothing else decides whether a stream is open, half-closed, reset or over: the stream
 * keeps no flag beside this value.
 *
 * <p>Components (each an enum, each meaningful on its own):
 * <ul>
 * <li>{@link Phase}: the FIN/RST exchange, hashicorp's states after the handshake.</li>
 * <li>{@link Opening}: the SYN/ACK handshake and whether the open timeout still applies.</li>
 * <li>{@link Local}: what the application closed ({@code closeRead}, {@code close}).</li>
 * <li>{@link Writer}: whether a data frame is on its way to the connection, so a FIN decided
 *     meanwhile is owed and sent after it (control frames overtake queued data).</li>
 * <li>{@link Cleanup}: whether the stream is registered, removed (unread data still charged to
 *     the memory bound), or released.</li>
 * </ul>
 *
 * <p>Stateless functions over immutable values: safe from any thread. The owning {@link Stream}
 * computes and stores each transition under its lock and applies the effects as documented there.
 * Unlike hashicorp no received flag combination is an error: a duplicate or late FIN, a stray ACK
 * or unknown bits leave the state where the spec allows (go-yamux and rust-yamux do the same).
 *
 * @param resetCode the RST's code (unsigned 32-bit) when {@code phase} is {@link Phase#RESET}, else 0
 * @param resetByPeer whether the peer sent that RST; false unless {@code phase} is RESET
 */
record StreamState(Phase phase, Opening opening, Local local, Writer writer, Cleanup cleanup, long resetCode,
        boolean resetByPeer) {

    /** The FIN/RST exchange (spec "Stream Close"). */
    enum Phase {
        /** Both directions open. Out: our FIN → LOCAL_CLOSE; the peer's → REMOTE_CLOSE; RST → RESET. */
        OPEN,
        /** We decided FIN; the peer may still send. Out: the peer's FIN → CLOSED; RST → RESET. */
        LOCAL_CLOSE,
        /** The peer sent FIN; we may still send. Out: our FIN → CLOSED; RST → RESET. */
        REMOTE_CLOSE,
        /** Both FINs. Terminal: a later RST changes nothing. */
        CLOSED,
        /** RST sent or received. Terminal. */
        RESET
    }

    /** The SYN/ACK handshake. */
    enum Opening {
        /** Outbound, SYN queued, no ACK and no data written: the open timeout resets it. Out: ACK, first data frame, end. */
        UNACKED,
        /**
         * Outbound, not ACKed, but carrying our data: a peer that ACKs lazily (rust-yamux ACKs with
         * its first frame) is not reset by the open timeout. Out: ACK, end.
         */
        UNACKED_CARRYING_DATA,
        /** Inbound, waiting in the accept queue. Out: accepted (our ACK), end (leaves the queue). */
        UNACCEPTED,
        /** ACKed, accepted, or ended before either. Terminal. */
        SETTLED;

        boolean holdsAckSlot() {
            return this == UNACKED || this == UNACKED_CARRYING_DATA;
        }
    }

    /** What the application closed. */
    enum Local {
        OPEN,
        /** {@code closeRead}: reads return -1, arriving data is discarded and credited. */
        READ_CLOSED,
        /** {@code close}: reading closed, FIN decided, later calls fail with StreamClosedException. */
        CLOSED
    }

    /** Our data frames (writes are serialized: at most one frame between window grant and wire). */
    enum Writer {
        IDLE,
        /** A data frame was granted window and has not left {@code Outbound.writeData}. */
        SENDING,
        /** As SENDING, and a FIN was decided meanwhile: the writer sends it once its frame is out. */
        SENDING_FIN_OWED
    }

    /** The stream's registration and the memory charged to it. */
    enum Cleanup {
        /** Registered with the session. */
        LIVE,
        /** Over and removed, but unread data still holds its window growth and inbound slot. */
        REMOVED,
        /** Over, removed and released (or the session ended). Terminal. */
        RELEASED
    }

    /** What happens to a stream. Flags received are split into ACK, FIN and RST, applied in that order. */
    enum Event {
        ACCEPTED, ACK_RECEIVED, FIN_RECEIVED, RST_RECEIVED,
        CLOSE_WRITE, CLOSE_READ, CLOSE, RESET,
        OPEN_TIMEOUT, CLOSE_TIMEOUT,
        /** A data frame was granted window (the caller checked {@link #canWrite()}). */
        FRAME_GRANTED,
        /** That frame left {@code Outbound.writeData}: written, withdrawn or failed. */
        FRAME_LEFT,
        /** Unread data was consumed (read or discarded); the stream may now be released. */
        DRAINED,
        SESSION_CLOSED
    }

    /** The next state and what to do about it. */
    record Transition(StreamState next, int effects) {
        boolean has(int effect) {
            return (effects & effect) != 0;
        }
    }

    /** An outbound stream whose SYN is being queued. */
    static StreamState outbound() {
        return new StreamState(Phase.OPEN, Opening.UNACKED, Local.OPEN, Writer.IDLE, Cleanup.LIVE, 0, false);
    }

    /** An inbound stream whose SYN just arrived. */
    static StreamState inbound() {
        return new StreamState(Phase.OPEN, Opening.UNACCEPTED, Local.OPEN, Writer.IDLE, Cleanup.LIVE, 0, false);
    }

    /** As {@link #on(Event, boolean, long)} for events that carry no code. */
    Transition on(Event event, boolean drained) {
        return on(event, drained, 0);
    }
    /**
     * The transition for {@code event}.
     *
     * @param drained whether no unread data is buffered once the event's own effect on the buffer
     *     is applied (reset and close drop it, so callers pass true for those)
     * @param code the RST code for {@link Event#RESET} and {@link Event#RST_RECEIVED} (unsigned 32-bit)
     */
    Transition on(Event event, boolean drained, long code) {
        StreamState s = this;
        int fx = 0;
        switch (event) {
            case ACCEPTED -> {
                if (opening == Opening.UNACCEPTED) {
                    s = s.with(Opening.SETTLED);
                    fx |= StreamEffect.SEND_ACK;
                }
            }
            case ACK_RECEIVED -> {
                if (opening.holdsAckSlot()) {
                    s = s.with(Opening.SETTLED);
                    fx |= StreamEffect.CANCEL_OPEN_TIMER | StreamEffect.RELEASE_ACK_SLOT;
                }
            }
            case FIN_RECEIVED -> {
                Phase next = switch (phase) {
                    case OPEN -> Phase.REMOTE_CLOSE;
                    case LOCAL_CLOSE -> Phase.CLOSED;
                    case REMOTE_CLOSE, CLOSED, RESET -> phase; // duplicate or late FIN: ignored
                };
                s = s.with(next);
                fx |= StreamEffect.WAKE_READERS;
            }
            case RST_RECEIVED, RESET -> {
                if (!isTerminal()) {
                    boolean byPeer = event == Event.RST_RECEIVED;
                    s = new StreamState(Phase.RESET, opening, local, writer, cleanup, code, byPeer);
                    fx |= StreamEffect.DROP_UNREAD | StreamEffect.WITHDRAW_DATA | StreamEffect.WAKE_READERS | StreamEffect.WAKE_WRITERS
                            | StreamEffect.REPORT_RESET | (byPeer ? 0 : StreamEffect.SEND_RST);
                    drained = true;
                }
            }
            case CLOSE_WRITE -> {
                Transition fin = s.decideFin();
                s = fin.next;
                fx |= fin.effects;
            }
            case CLOSE_READ -> {
                if (local == Local.OPEN) {
                    s = s.with(Local.READ_CLOSED);
                    fx |= StreamEffect.DISCARD_UNREAD | StreamEffect.WAKE_READERS;
                    drained = true;
                }
            }
            case CLOSE -> {
                if (local != Local.CLOSED) {
                    Transition fin = s.with(Local.CLOSED).decideFin();
                    s = fin.next;
                    fx |= fin.effects | StreamEffect.DISCARD_UNREAD | StreamEffect.WAKE_READERS | StreamEffect.WAKE_WRITERS;
                    drained = true;
                    if (!s.isDone() && cleanup == Cleanup.LIVE) {
                        fx |= StreamEffect.ARM_CLOSE_TIMER;
                    }
                }
            }
            case OPEN_TIMEOUT, CLOSE_TIMEOUT -> {
                boolean expired = event == Event.OPEN_TIMEOUT ? opening == Opening.UNACKED && !isTerminal()
                        : !isTerminal() && cleanup == Cleanup.LIVE;
                if (expired) {
                    return on(Event.RESET, true, 0);
                }
            }
            case FRAME_GRANTED -> {
                s = s.with(Writer.SENDING);
                if (opening == Opening.UNACKED) {
                    s = s.with(Opening.UNACKED_CARRYING_DATA);
                }
            }
            case FRAME_LEFT -> {
                if (writer == Writer.SENDING_FIN_OWED && phase != Phase.RESET && cleanup != Cleanup.RELEASED) {
                    fx |= StreamEffect.SEND_FIN;
                }
                s = s.with(Writer.IDLE);
            }
            case DRAINED -> { } // nothing but the release below
            case SESSION_CLOSED -> {
                if (cleanup != Cleanup.RELEASED) {
                    s = s.with(Cleanup.RELEASED).with(Opening.SETTLED);
                    fx |= StreamEffect.CANCEL_TIMERS | StreamEffect.RELEASE_WINDOW | StreamEffect.WAKE_READERS | StreamEffect.WAKE_WRITERS;
                }
                return new Transition(s, fx);
            }
        }
        Transition t = s.settle(fx, drained);
        // Once released (or the session ended) the state still moves, so calls fail as they
        // should, but nothing reaches the wire, the timers or the session.
        return cleanup == Cleanup.RELEASED ? new Transition(t.next, t.effects & StreamEffect.AFTER_RELEASE) : t;
    }

    /** Our FIN is decided: sent now, or owed by the writer whose frame is on its way. */
    private Transition decideFin() {
        if (!canSendFin()) {
            return new Transition(this, 0);
        }
        Phase next = phase == Phase.REMOTE_CLOSE ? Phase.CLOSED : Phase.LOCAL_CLOSE;
        StreamState s = with(next);
        if (writer == Writer.SENDING) {
            return new Transition(s.with(Writer.SENDING_FIN_OWED), StreamEffect.WAKE_WRITERS);
        }
        return new Transition(s, StreamEffect.SEND_FIN | StreamEffect.WAKE_WRITERS);
    }

    /** Adds removal and release once the stream is over, exactly once each. */
    private Transition settle(int fx, boolean drained) {
        StreamState s = this;
        if (s.cleanup == Cleanup.LIVE && s.isDone()) {
            fx |= StreamEffect.REMOVE | StreamEffect.CANCEL_TIMERS;
            if (s.opening.holdsAckSlot()) {
                fx |= StreamEffect.RELEASE_ACK_SLOT;
            } else if (s.opening == Opening.UNACCEPTED) {
                fx |= StreamEffect.LEAVE_ACCEPT_QUEUE;
            }
            s = s.with(Opening.SETTLED).with(Cleanup.REMOVED);
        }
        if (s.cleanup == Cleanup.REMOVED && drained) {
            fx |= StreamEffect.RELEASE;
            s = s.with(Cleanup.RELEASED);
        }
        return new Transition(s, fx);
    }

    /** Over: both FINs (with ours actually queued) or a reset. */
    boolean isDone() {
        return phase == Phase.RESET || (phase == Phase.CLOSED && writer != Writer.SENDING_FIN_OWED);
    }

    /** Both FINs decided, or reset: no more frames of either side matter. */
    boolean isTerminal() {
        return phase == Phase.CLOSED || phase == Phase.RESET;
    }

    /** Whether we have not decided our FIN and the stream is not reset. */
    boolean canSendFin() {
        return phase == Phase.OPEN || phase == Phase.REMOTE_CLOSE;
    }

    /** Whether we may still send data. */
    boolean canWrite() {
        return canSendFin();
    }

    /** Whether the peer may still send data (it has sent neither FIN nor RST). */
    boolean peerMaySend() {
        return phase == Phase.OPEN || phase == Phase.LOCAL_CLOSE;
    }

    /** Whether reads end locally ({@code closeRead} or {@code close}). */
    boolean readClosed() {
        return local != Local.OPEN;
    }

    private StreamState with(Phase p) {
        return new StreamState(p, opening, local, writer, cleanup, resetCode, resetByPeer);
    }

    private StreamState with(Opening o) {
        return new StreamState(phase, o, local, writer, cleanup, resetCode, resetByPeer);
    }

    private StreamState with(Local l) {
        return new StreamState(phase, opening, l, writer, cleanup, resetCode, resetByPeer);
    }

    private StreamState with(Writer w) {
        return new StreamState(phase, opening, local, w, cleanup, resetCode, resetByPeer);
    }

    private StreamState with(Cleanup c) {
        return new StreamState(phase, opening, local, writer, c, resetCode, resetByPeer);
    }
}

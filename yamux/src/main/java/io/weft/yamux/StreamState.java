package io.weft.yamux;

import io.weft.yamux.frame.Flags;

/**
 * The yamux stream state machine (hashicorp stream.go states), as pure transition functions.
 *
 * <p>Unlike hashicorp, no transition fails: a duplicate or late FIN, an ACK on a stream that
 * was not waiting for one, or any flag combination simply leaves the state where the spec
 * allows it (go-yamux and rust-yamux behave the same). Unknown flag bits are ignored. Stateless;
 * safe from any thread. Callers hold the stream's lock while they store the result.
 */
enum StreamState {
    /** Outbound stream created, SYN not yet sent. Out: {@link #SYN_SENT} when the SYN leaves. */
    INIT,
    /** Outbound, SYN sent, no ACK yet. Out: ACK → {@link #ESTABLISHED}; FIN → {@link #REMOTE_CLOSE}. */
    SYN_SENT,
    /** Inbound, SYN received, not yet accepted. Out: accept → {@link #ESTABLISHED}; FIN → {@link #REMOTE_CLOSE}. */
    SYN_RECEIVED,
    /** Both directions open. Out: local FIN → {@link #LOCAL_CLOSE}; remote FIN → {@link #REMOTE_CLOSE}. */
    ESTABLISHED,
    /** We sent FIN; the peer may still send. Out: remote FIN → {@link #CLOSED}. */
    LOCAL_CLOSE,
    /** The peer sent FIN; we may still send. Out: local FIN → {@link #CLOSED}. */
    REMOTE_CLOSE,
    /** Both sides sent FIN. Terminal. */
    CLOSED,
    /** RST sent or received. Terminal. */
    RESET;

    /** The state after the SYN went out. */
    StreamState afterSynSent() {
        return this == INIT ? SYN_SENT : this;
    }

    /** The state after the application accepted an inbound stream (our ACK goes out). */
    StreamState afterAccept() {
        return this == SYN_RECEIVED ? ESTABLISHED : this;
    }

    /** The state after we sent FIN. Callers send FIN only when {@link #canSendFin()}. */
    StreamState afterFinSent() {
        return switch (this) {
            case INIT, SYN_SENT, SYN_RECEIVED, ESTABLISHED -> LOCAL_CLOSE;
            case REMOTE_CLOSE -> CLOSED;
            case LOCAL_CLOSE, CLOSED, RESET -> this;
        };
    }

    /** The state after we sent RST. */
    StreamState afterResetSent() {
        return this == CLOSED ? CLOSED : RESET;
    }

    /**
     * The state after a frame with {@code flags} arrived for this stream. Processing order is
     * hashicorp's: ACK, then FIN, then RST.
     */
    StreamState afterReceived(int flags) {
        StreamState next = this;
        if ((flags & Flags.ACK) != 0 && next == SYN_SENT) {
            next = ESTABLISHED;
        }
        if ((flags & Flags.FIN) != 0) {
            next = switch (next) {
                case INIT, SYN_SENT, SYN_RECEIVED, ESTABLISHED -> REMOTE_CLOSE;
                case LOCAL_CLOSE -> CLOSED;
                case REMOTE_CLOSE, CLOSED, RESET -> next; // duplicate or late FIN: ignored
            };
        }
        if ((flags & Flags.RST) != 0 && next != CLOSED) {
            next = RESET;
        }
        return next;
    }

    /** Whether we may still send FIN (we have not sent one and the stream is not over). */
    boolean canSendFin() {
        return switch (this) {
            case INIT, SYN_SENT, SYN_RECEIVED, ESTABLISHED, REMOTE_CLOSE -> true;
            case LOCAL_CLOSE, CLOSED, RESET -> false;
        };
    }

    /** Whether we may still send data. */
    boolean canWrite() {
        return canSendFin();
    }

    /** Whether the peer may still send data (it has sent neither FIN nor RST). */
    boolean peerMaySend() {
        return switch (this) {
            case INIT, SYN_SENT, SYN_RECEIVED, ESTABLISHED, LOCAL_CLOSE -> true;
            case REMOTE_CLOSE, CLOSED, RESET -> false;
        };
    }

    /** Whether the stream is over and can be removed from the session. */
    boolean isTerminal() {
        return this == CLOSED || this == RESET;
    }
}

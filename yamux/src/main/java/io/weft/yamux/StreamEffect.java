package io.weft.yamux;

/**
 * What a {@link StreamState} transition asks the stream to do, as bits of
 * {@link StreamState.Transition#effects()}. {@link Stream} applies those on itself (buffer, timers,
 * waiters) under its lock, and the rest with the lock released, in the order listed here.
 */
final class StreamEffect {
    /** Drop unread data without credit (reset). */
    static final int DROP_UNREAD = 1;
    /** Drop unread data and from now on discard arrivals, crediting the peer. */
    static final int DISCARD_UNREAD = 1 << 1;
    /** Queue our ACK (with the initial window beyond 256 KiB). */
    static final int SEND_ACK = 1 << 2;
    /** Queue our FIN. */
    static final int SEND_FIN = 1 << 3;
    /** Queue our RST carrying {@link StreamState#resetCode()}. */
    static final int SEND_RST = 1 << 4;
    /** Withdraw our data frames not yet taken for the wire; their writers fail. */
    static final int WITHDRAW_DATA = 1 << 5;
    /** Cancel the open timeout. */
    static final int CANCEL_OPEN_TIMER = 1 << 6;
    /** Arm the close timeout. */
    static final int ARM_CLOSE_TIMER = 1 << 7;
    /** Cancel every timer of the stream. */
    static final int CANCEL_TIMERS = 1 << 8;
    /** Free the session's un-ACKed slot this stream held. */
    static final int RELEASE_ACK_SLOT = 1 << 9;
    /** Take the stream out of the accept queue. */
    static final int LEAVE_ACCEPT_QUEUE = 1 << 10;
    /** Remove the stream from the session. */
    static final int REMOVE = 1 << 11;
    /** Give back its window growth and inbound slot. */
    static final int RELEASE = 1 << 12;
    /** Give back the window growth only: the session ended. */
    static final int RELEASE_WINDOW = 1 << 13;
    static final int WAKE_READERS = 1 << 14;
    static final int WAKE_WRITERS = 1 << 15;
    /** Count and report the reset (frame sent or received). */
    static final int REPORT_RESET = 1 << 16;
    /** What a released stream may still do: only its own buffer and waiters. */
    static final int AFTER_RELEASE = DROP_UNREAD | DISCARD_UNREAD | WAKE_READERS | WAKE_WRITERS;

    private StreamEffect() {
    }

    /**
     * Effects of one or more transitions still to apply outside the stream's lock, with what they
     * carry ({@link Stream} fills and applies it; not thread-safe).
     */
    static final class Batch {
        int bits;
        long creditBytes;
        long ackDeltaBytes;
        long resetCode;
        StreamResetException reset;

        void add(Batch other) {
            bits |= other.bits;
            creditBytes += other.creditBytes;
            ackDeltaBytes += other.ackDeltaBytes;
            if (other.reset != null) {
                reset = other.reset;
                resetCode = other.resetCode;
            }
        }

        boolean has(int effect) {
            return (bits & effect) != 0;
        }
    }
}

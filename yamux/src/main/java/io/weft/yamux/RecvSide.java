package io.weft.yamux;

import java.nio.ByteBuffer;
import java.util.function.LongSupplier;

/**
 * The receive side of one stream: its unread bytes ({@link RecvBuffer}) and the credit they
 * hold ({@link RecvWindow}). Turns what happens to received bytes (read, discarded after a local
 * close, dropped after the peer's FIN or a reset) into the window update due. It keeps no
 * lifecycle of its own: whether reading is closed, and when the window growth goes back, is the
 * stream's {@link StreamState}. It only decides: the stream sends the update once it has dropped
 * its lock.
 *
 * <p>Not thread-safe: the owning {@link Stream}'s lock guards it. Used by application readers and
 * closers and by the session reader delivering data.
 */
final class RecvSide {
    /** Results of {@link #admit}. */
    static final int ADMIT_BUFFER = 0;
    static final int ADMIT_DISCARD = 1;
    static final int ADMIT_VIOLATION = 2;

    private final RecvBuffer buffer;
    private final RecvWindow window;
    /** Asked only when an update is due, since it may send an RTT probe. */
    private final LongSupplier rttNanos;

    /** @param chunks the session's pool of bulk receive chunks (null: none) */
    RecvSide(RecvWindow window, LongSupplier rttNanos, ChunkPool chunks) {
        this.buffer = new RecvBuffer(chunks);
        this.window = window;
        this.rttNanos = rttNanos;
    }

    /** The delta to send with our SYN or ACK; see {@link RecvWindow#initialUpdate}. */
    long initialUpdate() {
        return window.initialUpdate(System.nanoTime());
    }

    /**
     * Charges {@code bytes} of an arriving data frame against the window.
     *
     * @param afterFin whether the peer already sent FIN
     * @param readClosed whether the application closed reading (the bytes are discarded and credited)
     * @return {@link #ADMIT_BUFFER}, {@link #ADMIT_DISCARD}, or {@link #ADMIT_VIOLATION} when the
     *     data exceeds the credit we granted
     */
    int admit(long bytes, boolean afterFin, boolean readClosed) {
        if (!window.onData(bytes)) {
            return ADMIT_VIOLATION;
        }
        if (afterFin) {
            // The peer already sent FIN, so a reader may have seen end of stream: delivering
            // these bytes would turn EOF into something other than the peer's clean FIN.
            // Drop them, as frames for a finished stream are dropped, rather than fail the
            // session: hashicorp, go-yamux and rust-yamux all accept (and buffer) them, so a
            // protocol error would be harsher than any reference peer. Still charged to the
            // window above; no credit goes back, since a peer that sent FIN is owed none.
            window.onDropped(bytes);
        }
        return afterFin || readClosed ? ADMIT_DISCARD : ADMIT_BUFFER;
    }

    /** Buffers admitted bytes for the reader. */
    void append(byte[] src, int offset, int length) {
        buffer.append(src, offset, length);
    }

    /** Moves up to {@code dst.remaining()} buffered bytes into {@code dst}; returns the count. */
    int read(ByteBuffer dst) {
        return buffer.read(dst);
    }

    /** Bytes buffered and unread. */
    long bufferedBytes() {
        return buffer.sizeBytes();
    }

    /**
     * Credits {@code bytes} read, or discarded after a local shutdown.
     *
     * @return the window update delta due now; 0 when none is, or when the peer may send no more
     */
    long consumed(long bytes, boolean peerMaySend) {
        return peerMaySend ? window.onConsumed(bytes, System.nanoTime(), rttNanos) : 0;
    }

    /**
     * Reading is over locally: drops the buffered bytes and credits them, so the peer never
     * stalls on a reader that left (arriving bytes are credited by the stream from now on).
     *
     * @return the window update delta due now (0 if none)
     */
    long discardUnread(boolean peerMaySend) {
        long dropped = buffer.clear();
        return dropped == 0 ? 0 : consumed(dropped, peerMaySend);
    }

    /** The stream was reset: unread bytes are gone, and a reset peer is owed no credit. */
    void clear() {
        buffer.clear();
    }

    /** Gives the window growth back to the session's auto-tuning budget (the stream is over and drained, or the session ended). */
    void releaseWindow() {
        window.release();
    }

    /** The current receive window target. */
    long windowBytes() {
        return window.windowBytes();
    }
}

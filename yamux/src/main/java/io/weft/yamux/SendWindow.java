package io.weft.yamux;

import io.weft.yamux.frame.FrameHeader;

/**
 * A stream's send window: the credit the peer granted us and we have not used. Not
 * thread-safe: the owning {@link Stream} guards it with its lock (writers take credit, the
 * session reader adds updates). Pure arithmetic, unit-tested alone.
 */
final class SendWindow {
    private long availableBytes = FrameHeader.INITIAL_STREAM_WINDOW;

    /** The unused credit in bytes, 0 to 2^32-1. */
    long availableBytes() {
        return availableBytes;
    }

    /**
     * Adds a window update's delta.
     *
     * @return {@code false} if the window would pass 2^32-1 (a protocol error); the window is then unchanged
     */
    boolean onUpdate(long deltaBytes) {
        long next = availableBytes + deltaBytes;
        if (next > FrameHeader.MAX_LENGTH) {
            return false;
        }
        availableBytes = next;
        return true;
    }

    /**
     * Takes up to {@code wantedBytes}, at most {@code maxFrameBytes}, of the available credit.
     *
     * @return the bytes granted, 0 when the window is exhausted
     */
    int take(long wantedBytes, int maxFrameBytes) {
        int granted = (int) Math.min(Math.min(wantedBytes, maxFrameBytes), availableBytes);
        availableBytes -= granted;
        return granted;
    }

    /**
     * Returns credit taken for a data frame that was withdrawn unsent. Not checked against
     * 2^32-1: the peer granted it, and counts it as still ours.
     */
    void giveBack(int bytes) {
        availableBytes += bytes;
    }
}

package io.weft.yamux;

import io.weft.yamux.frame.FrameType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;

/**
 * One frame in {@link Outbound}'s queues: its encoded header, a data frame's payload (the writer's
 * own buffer), and what its writer waits on. {@code taken}, {@code done}, {@code withdrawnBy} and
 * {@code written} are guarded by {@link Outbound}'s lock.
 */
final class OutboundFrame {
    final byte[] header;
    final ByteBuffer payload;
    final FrameType type;
    /** The stream of a data frame (set before it is queued), for {@link Outbound#withdrawData}. */
    int streamId;
    /** What its writer throws: set when {@link Outbound#withdrawData} removed it from the queue. */
    IOException withdrawnBy;
    /** Taken by the flusher into a batch: its write has begun, it can no longer be withdrawn. */
    boolean taken;
    boolean done;
    /**
     * Signalled when this frame is written or withdrawn, or the session fails; made by its
     * writer when it first waits (an application flusher never does), so a batch wakes only
     * the writers of its own frames, not every waiting writer.
     */
    Condition written;

    /** Wakes this frame's writer if it waits (lock held). */
    void wake() {
        if (written != null) {
            written.signal();
        }
    }

    OutboundFrame(byte[] header, ByteBuffer payload, FrameType type) {
        this.header = header;
        this.payload = payload;
        this.type = type;
    }
}

package io.weft.cli;

import io.weft.netpoll.Conn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Joins two connections (a yamux stream and a TCP or unix connection) by copying bytes both ways
 * until both directions have ended.
 *
 * <ul>
 *   <li>End of stream on one side becomes {@code closeWrite} on the other, so protocols that
 *       half-close (send a request, shut down, read the answer) keep working.
 *   <li>A failure on either side (a reset stream, a reset TCP connection, a failed write) aborts
 *       both: the stream is reset and the socket reset too (see {@link Forwarding#abort}), so
 *       neither peer waits for data that will never come, and neither mistakes the abort for a
 *       clean end.
 * </ul>
 *
 * <p>Threads: {@link #run()} copies {@code a → b} on the calling thread and {@code b → a} on one
 * virtual thread, and returns when both are done. Abort callbacks may run on either.
 */
final class Splice {

    /** One side of the join: a connection and how to abort it. */
    record Side(String name, Conn conn, Abort abort) {}

    /** Tears a connection down abruptly, so the peer sees a reset rather than end of stream. */
    @FunctionalInterface
    interface Abort {
        void abort() throws IOException;
    }

    /** What happened: bytes copied each way and the first failure, or {@code null} when both ended cleanly. */
    record Result(long bytesAtoB, long bytesBtoA, Throwable failure) {}

    private static final int BUFFER_BYTES = 32 * 1024;

    private final Side a;
    private final Side b;
    private final AtomicBoolean aborted = new AtomicBoolean();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    Splice(Side a, Side b) {
        this.a = a;
        this.b = b;
    }

    /** Copies both ways until both directions end or one fails; then closes both sides. */
    Result run() throws InterruptedException {
        long[] backBytes = new long[1];
        Thread back = Thread.ofVirtual().name("splice " + b.name() + "->" + a.name())
                .start(() -> backBytes[0] = copy(b, a));
        long forward = copy(a, b);
        back.join();
        closeQuietly(a.conn());
        closeQuietly(b.conn());
        return new Result(forward, backBytes[0], firstFailure.get());
    }

    private long copy(Side from, Side to) {
        ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
        long total = 0;
        try {
            while (true) {
                buf.clear();
                int n = from.conn().read(buf);
                if (n < 0) {
                    to.conn().closeWrite();
                    return total;
                }
                buf.flip();
                to.conn().write(buf);
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            if (!aborted.get()) {
                firstFailure.compareAndSet(null, e);
                abortBoth();
            }
            return total;
        }
    }

    /** Aborts both sides, once; wakes the other direction's blocked read. */
    private void abortBoth() {
        if (!aborted.compareAndSet(false, true)) {
            return;
        }
        for (Side side : new Side[] {a, b}) {
            try {
                side.abort().abort();
            } catch (IOException | RuntimeException ignored) {
                // Already closed or failed: the goal, no connection left open, is reached.
            }
        }
    }

    private static void closeQuietly(Conn conn) {
        try {
            conn.close();
        } catch (IOException | RuntimeException ignored) {
            // Aborted or already closed.
        }
    }
}

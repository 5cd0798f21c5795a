package io.weft.yamux;

import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Everything a session sends goes through here, with no artificial delay and as few transport
 * writes as possible.
 *
 * <p>Two queues: <em>control</em> frames (header only: SYN, ACK, window updates, FIN, RST, ping,
 * GoAway) are enqueued without blocking by any thread, including the session reader and the
 * timer; <em>data</em> frames are enqueued by the application thread that writes them, which then
 * waits until its frame is on the wire (the payload is the caller's buffer, never copied).
 * While it waits, the caller's write deadline applies: a data frame not yet taken for the wire
 * is withdrawn at the deadline (see {@link #writeData}).
 *
 * <p>At most one thread is the <em>flusher</em> at a time. A writer that finds nobody flushing
 * becomes the flusher itself and writes at once; a writer that finds the transport busy just
 * enqueues. The flusher takes every queued control frame first (so pings and window updates
 * overtake bulk data), then as many queued data frames as fit in {@link #MAX_WRITE_CALL_BYTES},
 * and puts them on the wire in one gathering write (header and payload of each frame included).
 * So a batch is one transport call, and a frame taken into it is one whose transport write has
 * begun; only a lone frame above that size is split over several calls, so the stall watchdog
 * sees progress. Frames from concurrent writers therefore coalesce into few syscalls exactly
 * when the transport is busy. An application flusher stops once its own frame is written and
 * hands any remainder to the session's writer thread, which otherwise sleeps until control
 * frames arrive while nobody flushes. Over a transport whose
 * close cannot wake a blocked write ({@link Transport#callersMayWrite} is false), application
 * writers never flush: the writer thread does, and they wait on {@link #written}, which a session
 * failure always signals, so no application thread can be left inside a stuck transport write.
 *
 * <p>Locking: {@link #lock} guards the queues, {@link #flushing} and {@link #failure}; it is a
 * leaf lock (never held while taking another) and never held during a transport write. Only
 * the flusher touches the batch arrays and writes to the transport.
 */
final class Outbound {
    /** The reader waits once this many control frames are queued (the peer is not reading our RSTs). */
    static final int CONTROL_QUEUE_LIMIT = 1024;
    private static final int MAX_BATCH_FRAMES = 128;
    /**
     * Most bytes one transport write call carries. The write-stall watchdog can only see progress
     * between calls (a call returns when all its bytes are written), so a call must be small
     * enough that a slow but moving link finishes it within {@link YamuxConfig#connectionWriteTimeout()}:
     * at the 10 s default, any link faster than about 13 KB/s. Twice the default 64 KiB frame, so
     * a lone full-size frame is still one call. Also the size of a batch, so the frames the
     * flusher takes are the ones it is about to write, and the others stay withdrawable.
     */
    static final long MAX_WRITE_CALL_BYTES = 128 * 1024;
    /** How long the writer waits for a running flusher before giving up on the final frames. */
    private static final long FINAL_FLUSH_WAIT_NANOS = 100_000_000L;
    /**
     * How long a transport write already running when the session fails may still take before
     * the transport is closed under it. A healthy write (a FIN, the last window updates) is done
     * in microseconds, so this keeps it; a stuck one is cut well inside the 100 ms in which every
     * blocked call must be released, since closing the transport is what frees its writer.
     */
    static final long BUSY_CLOSE_GRACE_NANOS = 20_000_000L;

    private final Transport transport;
    private final SessionCounters counters;
    private final int pingBacklog;
    private final FailureSink failureSink;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a batch was written or the session failed. */
    private final Condition written = lock.newCondition();
    /** Signalled when the writer thread has work: queued frames and nobody flushing, or failure. */
    private final Condition workAvailable = lock.newCondition();
    /** Signalled when the control queue drops below its limit. */
    private final Condition controlSpace = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<Frame> control = new ArrayDeque<>();
    private final ArrayDeque<Frame> data = new ArrayDeque<>();
    private boolean flushing;
    private IOException failure;
    private byte[] finalFrame;
    private int pendingPingReplies;

    // Owned by the current flusher.
    private final ByteBuffer[] batchBuffers = new ByteBuffer[2 * MAX_BATCH_FRAMES];
    private final Frame[] batchFrames = new Frame[MAX_BATCH_FRAMES];

    /**
     * {@link System#nanoTime()} (made odd, so never 0) when the running transport write last made
     * progress, that is when its latest call began; 0 when no write is running.
     */
    private volatile long writeProgressNanos;

    /** Receives a transport write failure; the session fails and calls {@link #fail}. */
    interface FailureSink {
        void onWriteFailed(IOException e);
    }

    Outbound(Transport transport, SessionCounters counters, int pingBacklog, FailureSink failureSink) {
        this.transport = transport;
        this.counters = counters;
        this.pingBacklog = pingBacklog;
        this.failureSink = failureSink;
    }

    /** Starts the writer thread that flushes control frames when no application thread does. */
    Thread start(ThreadFactory threadFactory) {
        Thread thread = threadFactory.newThread(this::runWriter);
        thread.start();
        return thread;
    }

    /**
     * When the running transport write last made progress ({@link System#nanoTime()}), or 0 when
     * none is running. For the stall watchdog.
     */
    long writeProgressNanos() {
        return writeProgressNanos;
    }

    /**
     * Writes one data frame and returns once it is on the wire.
     *
     * <p>While the frame waits in the queue, {@code writeDeadlineNanos} (read afresh after every
     * wakeup; see {@link #writeDeadlineChanged}) applies: when it passes, or has passed already,
     * the frame is withdrawn, nothing of it sent. Once the flusher has taken it, its transport
     * write has begun and a frame is atomic on the wire, so the caller waits for it to complete,
     * bounded by the write-stall watchdog.
     *
     * @param writeDeadlineNanos the caller's current write deadline, {@link Deadlines#NONE} for none
     * @throws io.weft.netpoll.DeadlineExceededException the frame was withdrawn at the deadline;
     *     the caller still owns its send-window credit
     * @throws IOException the session's failure (a fresh copy) if it fails first
     */
    void writeData(byte[] header, ByteBuffer payload, LongSupplier writeDeadlineNanos) throws IOException {
        Frame frame = new Frame(header, payload, FrameType.DATA, false);
        boolean flusher = false;
        lock.lock();
        try {
            if (failure != null) {
                throw Failures.forCaller(failure);
            }
            Deadlines.checkDeadline(writeDeadlineNanos.getAsLong(), "write");
            data.addLast(frame);
            if (!flushing && transport.callersMayWrite()) {
                flushing = true;
                flusher = true;
            } else {
                if (!flushing) {
                    workAvailable.signal();
                }
                awaitWritten(frame, writeDeadlineNanos);
            }
        } finally {
            lock.unlock();
        }
        if (flusher) {
            flush(frame);
        }
        if (!frame.done) {
            lock.lock();
            try {
                throw Failures.forCaller(failure);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Waits (lock held) until {@code frame} is written or the session fails, withdrawing it at the
     * write deadline if the flusher has not taken it. Uninterruptible: an interrupt is passed on
     * to the caller afterwards.
     */
    private void awaitWritten(Frame frame, LongSupplier writeDeadlineNanos) throws IOException {
        boolean interrupted = false;
        try {
            while (!frame.done && failure == null) {
                if (frame.withdrawnBy != null) {
                    throw frame.withdrawnBy;
                }
                long deadlineNanos = frame.taken ? Deadlines.NONE : writeDeadlineNanos.getAsLong();
                long remainingNanos = deadlineNanos == Deadlines.NONE ? 0 : deadlineNanos - System.nanoTime();
                if (deadlineNanos != Deadlines.NONE && remainingNanos <= 0) {
                    data.remove(frame); // not taken, so still queued
                    throw Deadlines.exceeded("write");
                }
                try {
                    if (deadlineNanos == Deadlines.NONE) {
                        written.await();
                    } else {
                        written.awaitNanos(remainingNanos);
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Takes back every data frame of stream {@code streamId} that the flusher has not taken: none of
     * it is sent, and each of their {@link #writeData} calls throws {@code cause}. Frames already
     * taken are being written and are left alone (they precede anything queued after this call).
     * A stream calls this when it is reset, so no data of it follows its RST.
     */
    void withdrawData(int streamId, IOException cause) {
        lock.lock();
        try {
            boolean any = false;
            for (var it = data.iterator(); it.hasNext();) {
                Frame frame = it.next();
                if (!frame.taken && FrameHeader.streamIdAt(frame.header, 0) == streamId) {
                    it.remove();
                    frame.withdrawnBy = cause;
                    any = true;
                }
            }
            if (any) {
                written.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Data frames of {@code streamId} queued and not yet taken for the wire. Visible for testing. */
    int queuedDataFrames(int streamId) {
        lock.lock();
        try {
            int n = 0;
            for (Frame frame : data) {
                n += !frame.taken && FrameHeader.streamIdAt(frame.header, 0) == streamId ? 1 : 0;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Wakes writers waiting for their data frames, so they read their write deadline again: a
     * stream calls this when its write deadline changes.
     */
    void writeDeadlineChanged() {
        lock.lock();
        try {
            written.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a header-only control frame without blocking.
     *
     * @param waitForSpace whether to wait while {@link #CONTROL_QUEUE_LIMIT} frames are queued
     *     (the reader passes true so a peer that ignores our RSTs is throttled; timers pass false)
     * @return {@code false} if the session already failed
     */
    boolean sendControl(FrameType type, int flags, int streamId, long length, boolean waitForSpace) {
        byte[] header = new byte[FrameHeader.SIZE];
        FrameHeader.encode(header, 0, type, flags, streamId, length);
        lock.lock();
        try {
            while (waitForSpace && failure == null && control.size() >= CONTROL_QUEUE_LIMIT) {
                controlSpace.awaitUninterruptibly();
            }
            if (failure != null) {
                return false;
            }
            control.addLast(new Frame(header, null, type, false));
            if (!flushing) {
                workAvailable.signal();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a ping reply unless {@link YamuxConfig#pingBacklog()} replies are already pending.
     *
     * @return whether it was queued
     */
    boolean sendPingReply(int opaque) {
        byte[] header = FrameHeader.ping(io.weft.yamux.frame.Flags.ACK, opaque).toBytes();
        lock.lock();
        try {
            if (failure != null || pendingPingReplies >= pingBacklog) {
                return false;
            }
            pendingPingReplies++;
            // Replies go to the front: they measure latency, so they must not wait behind anything.
            control.addFirst(new Frame(header, null, FrameType.PING, true));
            if (!flushing) {
                workAvailable.signal();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records the session's failure: queued data frames are dropped and their writers released
     * with it; queued control frames (a FIN, the last window updates) and {@code finalFrame} (a
     * GoAway, may be null) are still written by the writer thread once the transport is free,
     * after which it closes the transport and exits. If a transport write is running, the
     * transport is closed as soon as that write has had {@link #BUSY_CLOSE_GRACE_NANOS} to
     * finish: its writer, perhaps an application thread, can only be freed by the close.
     */
    void fail(IOException cause, byte[] finalFrame) {
        boolean busy;
        lock.lock();
        try {
            if (failure != null) {
                return;
            }
            failure = cause;
            this.finalFrame = finalFrame;
            busy = flushing;
            data.clear();
            written.signalAll();
            workAvailable.signalAll();
            controlSpace.signalAll();
        } finally {
            lock.unlock();
        }
        if (busy) {
            SessionTimer.schedule(this::closeIfStillWriting, BUSY_CLOSE_GRACE_NANOS);
        }
    }

    /**
     * After a failure: closes the transport if a write is still running (the one that was running
     * at the failure, or the final flush, and either is then stuck). Otherwise the writer thread
     * closes it after the final flush.
     */
    private void closeIfStillWriting() {
        if (writeProgressNanos != 0) {
            transport.close();
        }
    }

    private void runWriter() {
        try {
            while (true) {
                lock.lock();
                try {
                    while (failure == null && (flushing || (control.isEmpty() && data.isEmpty()))) {
                        workAvailable.awaitUninterruptibly();
                    }
                    if (failure == null) {
                        flushing = true;
                    }
                } finally {
                    lock.unlock();
                }
                if (finishAfterFailure()) {
                    return;
                }
                flush(null);
            }
        } catch (RuntimeException | Error e) {
            failureSink.onWriteFailed(new IOException("yamux writer failed", e));
            transport.close();
        }
    }

    /**
     * After a failure: waits briefly for a running flusher, writes the leftover control frames
     * and the final frame in one write, and closes the transport.
     *
     * @return whether the session has failed (the writer thread must exit)
     */
    private boolean finishAfterFailure() {
        ByteBuffer[] last;
        lock.lock();
        try {
            if (failure == null) {
                return false;
            }
            long waitNanos = FINAL_FLUSH_WAIT_NANOS;
            while (flushing && waitNanos > 0) {
                waitNanos = awaitNanosUninterruptibly(workAvailable, waitNanos);
            }
            if (flushing) {
                last = null; // the transport is stuck; the session's forced close ends it
            } else {
                flushing = true;
                last = new ByteBuffer[control.size() + (finalFrame != null ? 1 : 0)];
                int i = 0;
                for (Frame frame : control) {
                    last[i++] = ByteBuffer.wrap(frame.header);
                    counters.frameOut(frame.type);
                }
                if (finalFrame != null) {
                    last[i] = ByteBuffer.wrap(finalFrame);
                    counters.frameOut(FrameType.GO_AWAY);
                }
                control.clear();
                finalFrame = null;
            }
        } finally {
            lock.unlock();
        }
        if (last != null) {
            try {
                if (last.length > 0) {
                    writeProgressNanos = System.nanoTime() | 1;
                    assert !lock.isHeldByCurrentThread() : "no lock during transport I/O";
                    transport.write(last, 0, last.length);
                    counters.transportWrites.increment();
                }
            } catch (IOException | RuntimeException ignored) {
                // best effort: the session is over anyway
            } finally {
                writeProgressNanos = 0;
                transport.close();
            }
        }
        return true;
    }

    private static long awaitNanosUninterruptibly(Condition condition, long nanos) {
        try {
            return condition.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * Writes batches until {@code mine} is written (an application flusher) or the queues are
     * empty (the writer thread, {@code mine == null}). The caller has set {@link #flushing}.
     */
    private void flush(Frame mine) {
        while (true) {
            int frames = 0;
            int buffers = 0;
            lock.lock();
            try {
                if (failure != null) {
                    flushing = false;
                    workAvailable.signalAll(); // the writer thread may be waiting to write the final frames
                    return;
                }
                boolean controlWasFull = control.size() >= CONTROL_QUEUE_LIMIT;
                Frame frame;
                long bytes = 0;
                while (frames < MAX_BATCH_FRAMES && (frame = control.pollFirst()) != null) {
                    batchFrames[frames++] = frame;
                    batchBuffers[buffers++] = ByteBuffer.wrap(frame.header);
                    bytes += FrameHeader.SIZE;
                }
                // Data only once every control frame is in: a SYN must precede its stream's data.
                // A frame taken here can no longer be withdrawn, so take only what this one
                // transport call carries (a lone larger frame on its own).
                while (control.isEmpty() && frames < MAX_BATCH_FRAMES && (frame = data.peekFirst()) != null
                        && (frames == 0
                                || bytes + FrameHeader.SIZE + frame.payload.remaining() <= MAX_WRITE_CALL_BYTES)) {
                    data.pollFirst();
                    frame.taken = true;
                    batchFrames[frames++] = frame;
                    batchBuffers[buffers++] = ByteBuffer.wrap(frame.header);
                    batchBuffers[buffers++] = frame.payload;
                    bytes += FrameHeader.SIZE + frame.payload.remaining();
                }
                if (controlWasFull && control.size() < CONTROL_QUEUE_LIMIT) {
                    controlSpace.signalAll();
                }
                if (frames == 0) {
                    flushing = false;
                    return;
                }
            } finally {
                lock.unlock();
            }
            boolean interrupted = false;
            try {
                interrupted = writeBatch(buffers);
            } catch (IOException e) {
                writeProgressNanos = 0;
                java.util.Arrays.fill(batchBuffers, 0, buffers, null);
                java.util.Arrays.fill(batchFrames, 0, frames, null);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                failureSink.onWriteFailed(e);
                lock.lock();
                try {
                    flushing = false;
                    written.signalAll();
                    workAvailable.signalAll();
                } finally {
                    lock.unlock();
                }
                return;
            }
            writeProgressNanos = 0;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            counters.transportWrites.increment();
            lock.lock();
            try {
                for (int i = 0; i < frames; i++) {
                    Frame frame = batchFrames[i];
                    frame.done = true;
                    if (frame.pingReply) {
                        pendingPingReplies--;
                    }
                    counters.frameOut(frame.type);
                    batchFrames[i] = null;
                }
                java.util.Arrays.fill(batchBuffers, 0, buffers, null);
                written.signalAll();
                if (mine != null && mine.done) {
                    flushing = false;
                    if (!control.isEmpty() || !data.isEmpty()) {
                        workAvailable.signal();
                    }
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Writes {@code batchBuffers[0..count)} in transport calls of at most
     * {@link #MAX_WRITE_CALL_BYTES}, stamping {@link #writeProgressNanos} before each, so the
     * watchdog fails a write that stopped moving, not one that is long. A call ends at a buffer
     * boundary; only a single buffer larger than the limit (a frame above 128 KiB) is cut, by
     * narrowing its limit for that call.
     *
     * @return whether an interrupt was swallowed (the caller restores it once the batch is out)
     */
    private boolean writeBatch(int count) throws IOException {
        ByteBuffer[] srcs = batchBuffers;
        boolean interrupted = false;
        int first = 0;
        while (true) {
            while (first < count && !srcs[first].hasRemaining()) {
                first++;
            }
            if (first == count) {
                return interrupted;
            }
            int end = first;
            long bytes = 0;
            while (end < count && (end == first || bytes + srcs[end].remaining() <= MAX_WRITE_CALL_BYTES)) {
                bytes += srcs[end++].remaining();
            }
            ByteBuffer cut = null;
            int cutLimit = 0;
            if (bytes > MAX_WRITE_CALL_BYTES) { // one buffer on its own: write its first part now
                cut = srcs[first];
                cutLimit = cut.limit();
                cut.limit(cut.position() + (int) MAX_WRITE_CALL_BYTES);
            }
            writeProgressNanos = System.nanoTime() | 1;
            try {
                assert !lock.isHeldByCurrentThread() : "no lock during transport I/O";
                transport.write(srcs, first, end - first);
            } catch (InterruptedIOException e) {
                if (e instanceof SocketTimeoutException) {
                    throw e;
                }
                // An application flusher was interrupted mid-batch: abandoning half a frame would
                // corrupt the session, so finish it (positions record the progress) and pass the
                // interrupt on to the caller afterwards.
                interrupted = true;
                Thread.interrupted();
            } finally {
                if (cut != null) {
                    cut.limit(cutLimit);
                }
            }
        }
    }

    /** One queued frame. {@code taken} and {@code done} are guarded by {@link #lock}. */
    private static final class Frame {
        final byte[] header;
        final ByteBuffer payload;
        final FrameType type;
        final boolean pingReply;
        /** Taken by the flusher into a batch: its write has begun, it can no longer be withdrawn. */
        boolean taken;
        boolean done;
        /** Set when {@link #withdrawData} took the frame back: what its writer gets. */
        IOException withdrawnBy;

        Frame(byte[] header, ByteBuffer payload, FrameType type, boolean pingReply) {
            this.header = header;
            this.payload = payload;
            this.type = type;
            this.pingReply = pingReply;
        }
    }
}

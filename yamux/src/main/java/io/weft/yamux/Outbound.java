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
 * GoAway) are enqueued without ever blocking by any thread ({@link #writeControlLater},
 * {@link #writePingReplyLater}), including the session reader and the timer; an application
 * thread may instead write one itself when nobody is flushing ({@link #writeControl}, a reader's
 * window update on a session of few streams), as a data writer does; <em>data</em> frames are enqueued by the application thread that writes them, which then
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
 * writers never flush: the writer thread does, and they wait for their frame, which a session
 * failure always wakes, so no application thread can be left inside a stuck transport write.
 * A waiting writer is woken only for its own frame (written, withdrawn, its deadline changed, or
 * the session failed): with many streams writing at once, a batch wakes the writers of the frames
 * it carried, not every waiting writer.
 *
 * <p>The control queue is unbounded for its writers, and bounded by whom it is fed: application
 * threads add a bounded number of frames each (window updates for data the reader admitted, a FIN,
 * an RST, their own pings), and the only thread fed by the peer, the session reader, calls
 * {@link #awaitControlSpace()} before each frame it reads, so it stops reading from a peer that
 * does not read our frames while {@link #CONTROL_QUEUE_LIMIT} of them are unsent. No frame is ever
 * dropped (every ping of a peer that reads is answered), and no application thread ever waits for
 * queue space (a read never waits for it; a read that writes its window update itself with
 * {@link #writeControl} may wait in that transport write).
 *
 * <p>Locking: {@link #lock} guards the queues, {@link #flushing} and {@link #failure}; it is a
 * leaf lock (never held while taking another) and never held during a transport write. Only
 * the flusher touches the batch arrays and writes to the transport.
 */
final class Outbound {
    /** The reader stops reading while this many control frames are unsent (the peer is not reading them). */
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
    private final SessionClock clock;
    private final ThreadFactory threadFactory;
    private final FailureSink failureSink;
    /** Set once a thread was started to close the transport (see {@link #closeTransportLater()}). */
    private final java.util.concurrent.atomic.AtomicBoolean closeStarted = new java.util.concurrent.atomic.AtomicBoolean();

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the writer thread has work: queued frames and nobody flushing, or failure. */
    private final Condition workAvailable = lock.newCondition();
    /** Signalled when the control queue drops below its limit, or the session failed (the reader waits on it). */
    private final Condition controlSpace = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<OutboundFrame> control = new ArrayDeque<>();
    private final ArrayDeque<OutboundFrame> data = new ArrayDeque<>();
    private boolean flushing;
    /** Frames of the batch being written, {@code batchFrames[0..inFlight)}; their writers wait too. */
    private int inFlight;
    /**
     * Frames of a batch whose transport write failed before the session's failure reached
     * {@link #fail}: their writers wait for that failure, so {@link #fail} must still find and wake
     * them after the batch arrays were cleared. Guarded by {@link #lock}; emptied by {@link #fail}.
     */
    private final java.util.ArrayList<OutboundFrame> failedBatch = new java.util.ArrayList<>();
    private IOException failure;
    /**
     * Whether the control queue reached {@link #CONTROL_QUEUE_LIMIT}: written under {@link #lock},
     * read without it by the reader before every frame, so the common case costs no lock.
     */
    private volatile boolean controlFull;
    private byte[] finalFrame;

    // Owned by the current flusher.
    private final ByteBuffer[] batchBuffers = new ByteBuffer[2 * MAX_BATCH_FRAMES];
    private final OutboundFrame[] batchFrames = new OutboundFrame[MAX_BATCH_FRAMES];

    /**
     * The session's {@link SessionClock#nanoTime()} (made odd, so never 0) when the running
     * transport write last made progress, that is when its latest call began; 0 when no write is
     * running. On the session's clock because the watchdog compares it with that clock's time.
     */
    private volatile long writeProgressNanos;

    /** Receives a transport write failure; the session fails and calls {@link #fail}. */
    interface FailureSink {
        void onWriteFailed(IOException e);
    }

    /**
     * @param clock schedules the forced close of a transport write still running after a failure
     * @param threadFactory makes the writer thread and the threads that close the transport
     */
    Outbound(Transport transport, SessionCounters counters, SessionClock clock, ThreadFactory threadFactory,
            FailureSink failureSink) {
        this.transport = transport;
        this.counters = counters;
        this.clock = clock;
        this.threadFactory = threadFactory;
        this.failureSink = failureSink;
    }

    /** Starts the writer thread that flushes control frames when no application thread does. */
    Thread start() {
        Thread thread = newThread(this::runWriter);
        thread.start();
        return thread;
    }

    private Thread newThread(Runnable task) {
        Thread thread = threadFactory.newThread(task);
        return thread != null ? thread : Thread.ofVirtual().unstarted(task);
    }

    /**
     * Closes the transport on a thread of its own and returns at once; only the first call does
     * anything. For the timer: a user transport's close may block, and the timer thread is shared
     * by every session in the JVM, so it must never run the close itself.
     */
    void closeTransportLater() {
        if (closeStarted.compareAndSet(false, true)) {
            newThread(transport::close).start();
        }
    }

    /**
     * When the running transport write last made progress (the session clock's
     * {@link SessionClock#nanoTime()}), or 0 when none is running. For the stall watchdog.
     */
    long writeProgressNanos() {
        return writeProgressNanos;
    }

    /** Data frames queued and not yet taken for the wire. Visible for testing. */
    /** Frames of the batch being written (0 when none), for tests. */
    int framesInFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    int dataQueued() {
        lock.lock();
        try {
            return data.size();
        } finally {
            lock.unlock();
        }
    }

    /** Control frames queued and not yet taken for the wire. Visible for testing. */
    int controlQueued() {
        lock.lock();
        try {
            return control.size();
        } finally {
            lock.unlock();
        }
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
        OutboundFrame frame = new OutboundFrame(header, payload, FrameType.DATA);
        frame.streamId = FrameHeader.streamIdAt(header, 0);
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
                if (frame.withdrawnBy != null) {
                    throw frame.withdrawnBy;
                }
                throw Failures.forCaller(failure);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Withdraws the data frames of stream {@code streamId} that no flusher has taken for the wire
     * yet: nothing of them is sent, and each of their {@link #writeData} calls throws
     * {@code cause} (the same instance) instead of returning. Frames already taken (their
     * transport write has begun) are left alone: their calls complete normally once written.
     * Other streams' frames are untouched. Never blocks (takes only the leaf lock); any thread.
     *
     * @return the number of frames withdrawn
     */
    int withdrawData(int streamId, IOException cause) {
        java.util.Objects.requireNonNull(cause, "cause");
        lock.lock();
        try {
            int withdrawn = 0;
            for (java.util.Iterator<OutboundFrame> it = data.iterator(); it.hasNext(); ) {
                OutboundFrame frame = it.next();
                if (frame.streamId == streamId) { // queued means not taken
                    it.remove();
                    frame.withdrawnBy = cause;
                    frame.wake();
                    withdrawn++;
                }
            }
            return withdrawn;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits (lock held) until {@code frame} is written or the session fails, withdrawing it at the
     * write deadline if the flusher has not taken it. Uninterruptible: an interrupt is passed on
     * to the caller afterwards.
     */
    private void awaitWritten(OutboundFrame frame, LongSupplier writeDeadlineNanos) throws IOException {
        boolean interrupted = false;
        try {
            while (!frame.done && frame.withdrawnBy == null && failure == null) {
                long deadlineNanos = frame.taken ? Deadlines.NONE : writeDeadlineNanos.getAsLong();
                long remainingNanos = deadlineNanos == Deadlines.NONE ? 0 : deadlineNanos - System.nanoTime();
                if (deadlineNanos != Deadlines.NONE && remainingNanos <= 0) {
                    data.remove(frame); // not taken, so still queued
                    throw Deadlines.exceeded("write");
                }
                if (frame.written == null) {
                    frame.written = lock.newCondition();
                }
                try {
                    if (deadlineNanos == Deadlines.NONE) {
                        frame.written.await();
                    } else {
                        frame.written.awaitNanos(remainingNanos);
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

    /** Data frames of {@code streamId} queued and not yet taken for the wire. Visible for testing. */
    int queuedDataFrames(int streamId) {
        lock.lock();
        try {
            int n = 0;
            for (OutboundFrame frame : data) {
                n += frame.streamId == streamId ? 1 : 0; // queued means not taken
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
            for (OutboundFrame frame : data) { // only frames not yet taken read their deadline
                frame.wake();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a header-only control frame for the wire and returns at once: never blocks, never
     * waits for queue space, never drops the frame. Any thread.
     *
     * @return {@code false} if the session already failed (the frame is not sent)
     */
    boolean writeControlLater(FrameType type, int flags, int streamId, long length) {
        return enqueueControl(controlFrame(type, flags, streamId, length), false);
    }

    private static OutboundFrame controlFrame(FrameType type, int flags, int streamId, long length) {
        byte[] header = new byte[FrameHeader.SIZE];
        FrameHeader.encode(header, 0, type, flags, streamId, length);
        return new OutboundFrame(header, null, type);
    }

    /**
     * Queues a header-only control frame and, when nobody is flushing, puts it on the wire at once
     * on the calling thread (with whatever else is queued) instead of waking the writer thread:
     * one transport write and no thread hand-off. When a flusher is busy it takes the frame with
     * its next batch, as for
     * {@link #writeControlLater}. For application threads only (never the session reader, a
     * leading caller, or the timer): like a data write, the call may wait in the transport write,
     * bounded by the write-stall watchdog; over a transport whose callers may not write
     * ({@link Transport#callersMayWrite}) the writer thread writes it and the call returns at once.
     *
     * @return {@code false} if the session already failed (the frame is not sent)
     */
    boolean writeControl(FrameType type, int flags, int streamId, long length) {
        OutboundFrame frame = controlFrame(type, flags, streamId, length);
        lock.lock();
        try {
            if (failure != null) {
                return false;
            }
            addControlLocked(frame, false);
            if (flushing) {
                return true;
            }
            if (!transport.callersMayWrite()) {
                workAvailable.signal();
                return true;
            }
            flushing = true;
        } finally {
            lock.unlock();
        }
        flush(frame);
        return true;
    }

    /**
     * Queues the reply to the peer's ping {@code opaque} ahead of every other control frame (it
     * measures latency) and returns at once; never dropped. The session reader only.
     *
     * @return {@code false} if the session already failed
     */
    boolean writePingReplyLater(int opaque) {
        byte[] header = FrameHeader.ping(io.weft.yamux.frame.Flags.ACK, opaque).toBytes();
        return enqueueControl(new OutboundFrame(header, null, FrameType.PING), true);
    }

    private boolean enqueueControl(OutboundFrame frame, boolean first) {
        lock.lock();
        try {
            if (failure != null) {
                return false;
            }
            addControlLocked(frame, first);
            if (!flushing) {
                workAvailable.signal();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void addControlLocked(OutboundFrame frame, boolean first) {
        if (first) {
            control.addFirst(frame);
        } else {
            control.addLast(frame);
        }
        if (control.size() >= CONTROL_QUEUE_LIMIT) {
            controlFull = true;
        }
    }

    /** Whether the reader would wait in {@link #awaitControlSpace()} now (a leader then leaves reading to the reader thread). */
    boolean controlQueueFull() {
        return controlFull;
    }

    /**
     * The session reader calls this before reading each frame: waits while
     * {@link #CONTROL_QUEUE_LIMIT} control frames are unsent, so a peer that does not read what we
     * send is no longer read either, and the queue (and heap) stays bounded. Returns at once when
     * there is space, and when the session fails. No other thread may call it: an application
     * thread never waits for queue space (a leading caller, {@link SessionReader#lead}, leads only
     * while {@link #controlQueueFull()} is false, so it can wait here only if the queue filled in
     * the meantime).
     *
     * @return whether the reader had to wait
     */
    boolean awaitControlSpace() {
        if (!controlFull) {
            return false;
        }
        lock.lock();
        try {
            if (failure != null || control.size() < CONTROL_QUEUE_LIMIT) {
                return false;
            }
            while (failure == null && control.size() >= CONTROL_QUEUE_LIMIT) {
                controlSpace.awaitUninterruptibly();
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
            wakeAllWriters();
            data.clear();
            failedBatch.clear();
            workAvailable.signalAll();
            controlSpace.signalAll();
        } finally {
            lock.unlock();
        }
        if (busy) {
            clock.schedule(this::closeIfStillWriting, BUSY_CLOSE_GRACE_NANOS);
        }
    }

    /**
     * After a failure, on the timer: closes the transport (on a thread of its own, see
     * {@link #closeTransportLater()}) if a write is still running (the one that was running at the
     * failure, or the final flush, and either is then stuck). Otherwise the writer thread closes it
     * after the final flush.
     */
    private void closeIfStillWriting() {
        if (writeProgressNanos != 0) {
            closeTransportLater();
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
                for (OutboundFrame frame : control) {
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
                    writeProgressNanos = clock.nanoTime() | 1;
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
    private void flush(OutboundFrame mine) {
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
                if (mine != null && mine.withdrawnBy != null) { // withdrawn while others' frames went out
                    flushing = false;
                    if (!control.isEmpty() || !data.isEmpty()) {
                        workAvailable.signal();
                    }
                    return;
                }
                OutboundFrame frame;
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
                if (controlFull && control.size() < CONTROL_QUEUE_LIMIT) {
                    controlFull = false;
                    controlSpace.signalAll();
                }
                if (frames == 0) {
                    flushing = false;
                    return;
                }
                inFlight = frames;
            } finally {
                lock.unlock();
            }
            boolean interrupted = false;
            try {
                interrupted = writeBatch(buffers);
            } catch (IOException | RuntimeException thrown) {
                // A Conn that throws unchecked (a bug in it) fails the session like an I/O error;
                // escaping here would leave `flushing` set and nothing would be written again.
                IOException e = thrown instanceof IOException io ? io
                        : new IOException("transport write failed: " + thrown, thrown);
                writeProgressNanos = 0;
                java.util.Arrays.fill(batchBuffers, 0, buffers, null);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                failureSink.onWriteFailed(e);
                lock.lock();
                try {
                    flushing = false;
                    wakeAllWriters();
                    if (failure == null) { // the session fails on another thread that has not reached fail() yet
                        failedBatch.addAll(java.util.Arrays.asList(batchFrames).subList(0, frames));
                    }
                    java.util.Arrays.fill(batchFrames, 0, frames, null);
                    inFlight = 0;
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
                    OutboundFrame frame = batchFrames[i];
                    frame.done = true;
                    frame.wake();
                    counters.frameOut(frame.type);
                    batchFrames[i] = null;
                }
                inFlight = 0;
                java.util.Arrays.fill(batchBuffers, 0, buffers, null);
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
            writeProgressNanos = clock.nanoTime() | 1;
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

    /**
     * Wakes (lock held) every writer waiting for a data frame: the queued ones and those of the
     * batch being written. The session failed, or a batch write did.
     */
    private void wakeAllWriters() {
        for (OutboundFrame frame : data) {
            frame.wake();
        }
        for (int i = 0; i < inFlight; i++) {
            batchFrames[i].wake();
        }
        for (OutboundFrame frame : failedBatch) {
            frame.wake();
        }
    }
}

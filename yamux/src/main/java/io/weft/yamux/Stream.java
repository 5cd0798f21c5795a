package io.weft.yamux;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.StreamState.Event;
import io.weft.yamux.StreamState.Transition;
import io.weft.yamux.frame.FrameType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One yamux stream: a {@link Conn} multiplexed over a {@link Session}, with its own flow
 * control, deadlines and half-close.
 *
 * <h2>Closing</h2>
 * <ul>
 * <li>{@link #closeWrite()} sends FIN (half-close): the peer reads end of stream after our data,
 *     and we keep reading.</li>
 * <li>{@link #closeRead()} is local: blocked and later reads return -1; later inbound data is
 *     discarded and its credit returned, so the peer never stalls.</li>
 * <li>{@link #close()} does both; later calls throw {@link StreamClosedException}. The stream is
 *     freed when the peer's FIN arrives, or reset after {@link YamuxConfig#streamCloseTimeout()}.</li>
 * <li>{@link #reset()} / {@link #reset(int)} send RST: both directions end at once.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Thread-safe with the {@link Conn} rules: one read and one write may run at once (concurrent
 * reads, or writes, are serialized); close, reset and the deadline setters may be called from
 * any thread at any time and wake blocked calls. The session reader thread delivers data and
 * flags through package-private methods and never waits here except for the stream lock.
 *
 * <h2>Lifecycle</h2>
 * Whether the stream is open, half-closed, reset or over is one {@link StreamState} value, moved
 * only by its pure transition function. Each event (a call here, a flag from the peer, a timeout)
 * computes the next state and its effects under the stream lock; the effects on the stream itself
 * (its buffer, its timers, waking waiters) are applied under that lock too, so no timer can be
 * armed for a stream that is already over; frames are queued and the session told after the lock
 * is released, in a fixed order (frames, withdrawn data, slots, removal).
 *
 * <p>Lock order: {@code readSerial} / {@code writeSerial} → session lock → {@code lock} (the
 * stream lock, guarding {@code state} and the parts that have no lock of their own: {@link RecvSide},
 * {@link SendWindow}) → {@code Outbound}'s lock. The session is never called with the stream lock
 * held (asserted). {@link StreamTimers} takes no lock, so it is used under any of them.
 */
public final class Stream implements Conn {

    private final Session session;
    private final int id;
    /** Whether this side opened the stream. */
    final boolean outbound;

    private final ReentrantLock readSerial = new ReentrantLock();
    private final ReentrantLock writeSerial = new ReentrantLock();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    // Guarded by lock.
    private StreamState state;
    private final RecvSide recv;
    private final SendWindow sendWindow = new SendWindow();
    /** Whether the reader ended this stream's read wait and counted it in {@link Session#wokenCallers}. */
    private boolean wokenByReader;
    private final StreamTimers timers;

    private volatile long readDeadlineNanos = Deadlines.NONE;
    private volatile long writeDeadlineNanos = Deadlines.NONE;
    // Made on first use (most streams never use them). Guarded by lock.
    private InputStream inputView;
    private OutputStream outputView;

    Stream(Session session, int id, StreamState state, RecvWindow recvWindow, boolean outbound) {
        this.session = session;
        this.id = id;
        this.state = state;
        this.recv = new RecvSide(recvWindow, session.tuningRttNanos, session.receiveChunks);
        this.outbound = outbound;
        this.timers = new StreamTimers(session.clock);
    }

    /** This stream's id: odd when the client opened it, even when the server did. */
    public int id() {
        return id;
    }

    /** The session this stream belongs to. */
    public Session session() {
        return session;
    }

    /**
     * Reads buffered or arriving data, returning its credit to the peer as it is consumed. On a
     * session of at most two streams a read that makes a window update due may write it itself
     * (as hashicorp's {@code Read} waits for its update to be sent); it then returns once that
     * write is done, which neither the read deadline nor a close ends (only a session failure,
     * such as the write-stall watchdog's).
     *
     * @return bytes read (0 only when {@code dst} is full), or -1 after the peer's FIN once all
     *     data is read, or after {@link #closeRead()}
     * @throws StreamResetException after a reset, even if data was buffered (hashicorp semantics)
     * @throws StreamClosedException after {@link #close()}
     * @throws DeadlineExceededException at the read deadline
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            checkReadable();
            return 0;
        }
        Deadlines.lockSerial(readSerial, readDeadlineNanos);
        try {
            Deadlines.checkDeadline(readDeadlineNanos, "read");
            int n;
            long delta;
            StreamEffect.Batch released = null;
            boolean leadTried = false; // a platform caller reads frames itself where it may (SessionReader.lead)
            lock.lock();
            try {
                while (true) {
                    checkReadableLocked();
                    if (recv.bufferedBytes() > 0) {
                        n = recv.read(dst);
                        delta = recv.consumed(n, state.peerMaySend());
                        if (state.cleanup() == StreamState.Cleanup.REMOVED && recv.bufferedBytes() == 0) {
                            released = stepLocked(Event.DRAINED, 0);
                        }
                        break;
                    }
                    if (state.readClosed() || !state.peerMaySend()) {
                        return -1;
                    }
                    IOException failure = session.failureForCaller();
                    if (failure != null) {
                        throw failure;
                    }
                    // Once refused, ask for the role and lead again only if it has come free: asked
                    // here, under the lock a hand-off's wake-up takes, so that wake-up comes after this wait.
                    if (session.reader().mayLead() && (!leadTried || session.reader().requestRole(this))) {
                        long deadlineNanos = readDeadlineNanos;
                        lock.unlock();
                        try {
                            leadTried = !session.reader().lead(this, deadlineNanos);
                        } finally {
                            lock.lock();
                        }
                        if (recv.bufferedBytes() == 0) { // part of its own frame, delivered before the wake, is returned
                            Deadlines.checkDeadline(readDeadlineNanos, "read");
                        }
                        continue;
                    }
                    try {
                        Deadlines.await(readable, readDeadlineNanos, "read");
                    } finally {
                        if (wokenByReader) {
                            wokenByReader = false;
                            session.wokenCallers.ran();
                        }
                    }
                    leadTried = false;
                }
            } finally {
                lock.unlock();
            }
            if (delta > 0 && session.streamCount() <= SessionReader.FEW_STREAMS) {
                session.outbound.writeControl(FrameType.WINDOW_UPDATE, 0, id, delta); // see FEW_STREAMS
            } else if (delta > 0) {
                session.outbound.writeControlLater(FrameType.WINDOW_UPDATE, 0, id, delta);
            }
            if (released != null) {
                apply(released);
            }
            session.wokenCallers.yieldIfCallersWait(n);
            return n;
        } finally {
            readSerial.unlock();
        }
    }

    /** Scattering form of {@link #read(ByteBuffer)}: fills the buffers in order from one read's worth of data. */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return StreamIo.scatter(this, dsts, offset, length);
    }

    /**
     * Writes all bytes, in frames of at most {@link YamuxConfig#maxDataFrameBytes()}, waiting for
     * window as needed. Returns once the last frame is handed to the connection.
     *
     * @throws StreamClosedException after {@link #closeWrite()} or {@link #close()}
     * @throws StreamResetException after a reset; a frame still queued when the stream is reset
     *     is withdrawn (it never follows the RST), and its writer gets this exception
     * @throws DeadlineExceededException at the write deadline, while waiting for window or for the
     *     connection to take a frame (a frame already being written is finished first, so none is
     *     cut); {@code bytesTransferred} tells how many bytes were written, in whole frames
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        Deadlines.lockSerial(writeSerial, writeDeadlineNanos);
        try {
            Deadlines.checkDeadline(writeDeadlineNanos, "write");
            int total = 0;
            if (!src.hasRemaining()) {
                checkWritable();
                return 0;
            }
            while (src.hasRemaining()) {
                int granted;
                try {
                    granted = takeSendWindow(src.remaining());
                } catch (DeadlineExceededException e) {
                    e.bytesTransferred = total;
                    throw e;
                }
                byte[] header = new byte[FrameHeader.SIZE];
                FrameHeader.encode(header, 0, FrameType.DATA, 0, id, granted);
                int withdrawnBytes = 0;
                try {
                    session.outbound.writeData(header, src.slice(src.position(), granted), () -> writeDeadlineNanos);
                } catch (DeadlineExceededException e) { // the frame was withdrawn, nothing of it sent
                    withdrawnBytes = granted;
                    e.bytesTransferred = total;
                    throw e;
                } catch (StreamResetException e) { // withdrawn by a reset, nothing of it sent
                    withdrawnBytes = granted;
                    throw e;
                } finally {
                    dataFrameLeft(withdrawnBytes);
                }
                src.position(src.position() + granted);
                total += granted;
                session.counters.bytesOut.add(granted);
                session.wokenCallers.yieldIfCallersWait(granted);
            }
            return total;
        } finally {
            writeSerial.unlock();
        }
    }

    /** Gathering form of {@link #write(ByteBuffer)}: writes every buffer in order. */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return StreamIo.gather(this, srcs, offset, length);
    }

    private int takeSendWindow(int wantedBytes) throws IOException {
        long stallStartNanos = 0;
        YamuxEvents.WindowStall stallEvent = null;
        lock.lock();
        try {
            while (true) {
                checkWritableLocked();
                int granted = sendWindow.take(wantedBytes, session.config.maxDataFrameBytes());
                if (granted > 0) {
                    stepLocked(Event.FRAME_GRANTED, 0); // no outside effects
                    return granted;
                }
                if (stallStartNanos == 0) {
                    stallStartNanos = System.nanoTime();
                    session.counters.windowStalls.increment();
                    stallEvent = YamuxEvents.windowStallBegin();
                }
                Deadlines.await(writable, writeDeadlineNanos, "write");
            }
        } finally {
            lock.unlock();
            if (stallStartNanos != 0) {
                session.counters.windowStallNanos.add(System.nanoTime() - stallStartNanos);
                YamuxEvents.windowStallEnd(stallEvent, id);
            }
        }
    }

    /**
     * A data frame of {@link #write} left {@link Outbound#writeData}: written, withdrawn
     * ({@code withdrawnBytes} of credit come back), or the session failed. Sends a FIN decided
     * meanwhile.
     */
    private void dataFrameLeft(int withdrawnBytes) {
        StreamEffect.Batch effects;
        lock.lock();
        try {
            sendWindow.giveBack(withdrawnBytes);
            effects = stepLocked(Event.FRAME_LEFT, 0);
        } finally {
            lock.unlock();
        }
        apply(effects);
    }

    /**
     * Sends FIN once; we can still read. Idempotent; no effect after a reset. Does not block: a
     * write blocked for window fails with {@link StreamClosedException} at once, and if a data
     * frame of a concurrent write is already on its way to the connection, the FIN is sent by
     * that writer right after the frame is written, so it never overtakes the stream's data.
     */
    @Override
    public void closeWrite() {
        step(Event.CLOSE_WRITE, 0);
    }

    /** Stops reading: blocked and later reads return -1; later inbound data is discarded and credited. Idempotent. */
    @Override
    public void closeRead() {
        step(Event.CLOSE_READ, 0);
    }

    /**
     * Closes both directions: FIN (once) plus {@link #closeRead()}; blocked and later calls throw
     * {@link StreamClosedException}. The stream is freed when the peer's FIN arrives, or reset
     * after {@link YamuxConfig#streamCloseTimeout()}. Idempotent.
     */
    @Override
    public void close() {
        step(Event.CLOSE, 0);
    }

    private void onCloseTimeout() {
        if (step(Event.CLOSE_TIMEOUT, 0).has(StreamEffect.SEND_RST)) {
            session.log.warn("close-timeout", "peer did not close stream " + Integer.toUnsignedString(id) + " within "
                    + session.config.streamCloseTimeout() + "; reset it");
        }
    }

    private void onOpenTimeout() {
        if (step(Event.OPEN_TIMEOUT, 0).has(StreamEffect.SEND_RST)) {
            session.log.warn("open-timeout", "stream " + Integer.toUnsignedString(id) + " not ACKed within "
                    + session.config.streamOpenTimeout() + " and no data written; reset it");
        }
    }

    /** Resets the stream with code 0; see {@link #reset(int)}. */
    public void reset() {
        reset(0);
    }

    /**
     * Resets the stream: sends {@code WindowUpdate|RST} carrying {@code errorCode} (an unsigned
     * 32-bit value: a negative int stands for a code ≥ 2^31) in its length field, drops buffered data, withdraws our data frames not yet on the wire, and fails blocked
     * and later calls with {@link StreamResetException}. No effect on a stream already reset or
     * fully closed.
     */
    public void reset(int errorCode) {
        step(Event.RESET, Integer.toUnsignedLong(errorCode));
    }

    /** Whether {@link #close()} or a reset has not happened yet. */
    @Override
    public boolean isOpen() {
        lock.lock();
        try {
            return state.local() != StreamState.Local.CLOSED && state.phase() != StreamState.Phase.RESET
                    && !session.isClosed();
        } finally {
            lock.unlock();
        }
    }

    /** The session connection's local address, or {@code null}. */
    @Override
    public SocketAddress localAddress() {
        return session.localAddress();
    }

    /** The session connection's remote address, or {@code null}. */
    @Override
    public SocketAddress remoteAddress() {
        return session.remoteAddress();
    }

    /**
     * Sets the read deadline; applies to a read already blocked. {@code null} clears it.
     *
     * @throws StreamClosedException after {@link #close()}
     */
    @Override
    public void setReadDeadline(Instant deadline) throws StreamClosedException {
        checkNotClosed();
        readDeadlineNanos = Deadlines.toNanoDeadline(deadline);
        signalAll(readable);
        session.reader().wakeLeader(this);
    }

    /**
     * Sets the write deadline (it bounds the wait for window and for the connection to take a
     * data frame; see {@link #write}); applies to a write already blocked.
     *
     * @throws StreamClosedException after {@link #close()}
     */
    @Override
    public void setWriteDeadline(Instant deadline) throws StreamClosedException {
        checkNotClosed();
        writeDeadlineNanos = Deadlines.toNanoDeadline(deadline);
        signalAll(writable);
        session.outbound.writeDeadlineChanged();
    }

    /** An {@link InputStream} view; the same object each time; closing it closes the stream. */
    @Override
    public InputStream inputStream() {
        lock.lock();
        try {
            return inputView != null ? inputView : (inputView = new StreamIo.Input(this));
        } finally {
            lock.unlock();
        }
    }

    /** An {@link OutputStream} view; the same object each time; closing it closes the stream; flush does nothing. */
    @Override
    public OutputStream outputStream() {
        lock.lock();
        try {
            return outputView != null ? outputView : (outputView = new StreamIo.Output(this));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Stream[" + Integer.toUnsignedString(id) + " " + (session.isClient() ? "client" : "server") + "]";
    }

    // ---- called by the session and its reader ----

    /**
     * Queues our SYN as {@code WindowUpdate|SYN} carrying the window beyond 256 KiB (additive), then
     * arms the open timeout. The session calls this under its lock, after registering the stream
     * (so the ACK finds it) and before handing it out (so nothing can reset it before the SYN).
     */
    void open(Duration openTimeout) {
        long delta;
        lock.lock();
        try {
            delta = recv.initialUpdate();
        } finally {
            lock.unlock();
        }
        session.outbound.writeControlLater(FrameType.WINDOW_UPDATE, Flags.SYN, id, delta);
        lock.lock();
        try {
            if (state.opening() == StreamState.Opening.UNACKED && state.cleanup() == StreamState.Cleanup.LIVE) {
                timers.armOpen(this::onOpenTimeout, openTimeout);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The application accepted this inbound stream: send the ACK with any extra window. */
    void onAccepted() {
        step(Event.ACCEPTED, 0);
    }

    /** Whether the open timeout is still armed. Visible for testing. */
    boolean openTimerArmed() {
        return timers.openArmed();
    }

    /** Whether any timeout is armed. Visible for testing. */
    boolean anyTimerArmed() {
        return timers.anyArmed();
    }

    /** The current state. Visible for testing. */
    StreamState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies a received frame's flags (ACK, FIN, RST in that order).
     *
     * @param resetCode the code of a {@code WindowUpdate|RST} (unsigned 32-bit), 0 otherwise
     */
    void onFlags(int flags, long resetCode) {
        if ((flags & (Flags.ACK | Flags.FIN | Flags.RST)) == 0) {
            return;
        }
        StreamEffect.Batch effects = new StreamEffect.Batch();
        lock.lock();
        try {
            if ((flags & Flags.ACK) != 0) {
                effects.add(stepLocked(Event.ACK_RECEIVED, 0));
            }
            if ((flags & Flags.FIN) != 0) {
                effects.add(stepLocked(Event.FIN_RECEIVED, 0));
            }
            if ((flags & Flags.RST) != 0) {
                effects.add(stepLocked(Event.RST_RECEIVED, resetCode));
            }
        } finally {
            lock.unlock();
        }
        apply(effects);
    }

    /**
     * Charges {@code bytes} of an arriving data frame against the receive window. Called before
     * the frame's own FIN is applied, so the payload of a {@code Data|FIN} frame is still data.
     *
     * @return one of the {@code RecvSide.ADMIT_*} results
     */
    int admitData(long bytes) {
        boolean afterFin;
        int admitted;
        lock.lock();
        try {
            if (state.phase() == StreamState.Phase.RESET) {
                return RecvSide.ADMIT_DISCARD; // reset by this very frame: drain it
            }
            afterFin = !state.peerMaySend();
            admitted = recv.admit(bytes, afterFin, state.readClosed());
        } finally {
            lock.unlock();
        }
        if (afterFin && admitted != RecvSide.ADMIT_VIOLATION) {
            session.log.warn("data-after-fin", bytes + " bytes of data after the peer's FIN on stream "
                    + Integer.toUnsignedString(id) + " discarded");
        }
        return admitted;
    }

    /** Delivers (part of) an admitted data frame's payload. */
    void appendData(byte[] src, int offset, int length) {
        long delta = 0;
        lock.lock();
        try {
            if (!state.peerMaySend()) {
                // Reset, or data after the peer's FIN (written off in admitData: only the reader
                // thread applies the peer's FIN, after this frame's payload, so both calls agree).
                return;
            }
            if (state.readClosed()) {
                // Discarded bytes count as consumed, so the peer gets its credit back.
                delta = recv.consumed(length, true);
            } else {
                recv.append(src, offset, length);
                if (!wokenByReader && lock.hasWaiters(readable)) {
                    wokenByReader = true;
                    session.wokenCallers.woken();
                }
                readable.signal();
            }
        } finally {
            lock.unlock();
        }
        if (delta > 0) {
            session.outbound.writeControlLater(FrameType.WINDOW_UPDATE, 0, id, delta);
        }
    }

    /**
     * Adds a window update's delta to the send window.
     *
     * @return {@code false} if the window would pass 2^32-1 (a protocol error)
     */
    boolean onWindowUpdate(long deltaBytes) {
        if (deltaBytes == 0) {
            return true;
        }
        lock.lock();
        try {
            if (!sendWindow.onUpdate(deltaBytes)) {
                return false;
            }
            writable.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The session closed or failed: wake everyone so they see the session's failure. */
    void onSessionClosed() {
        step(Event.SESSION_CLOSED, 0);
    }

    /** The current receive window target (grows with auto-tuning). Visible for testing. */
    long receiveWindowBytes() {
        lock.lock();
        try {
            return recv.windowBytes();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the calling thread holds this stream's lock; for lock-order assertions. */
    boolean lockHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    int available() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, recv.bufferedBytes());
        } finally {
            lock.unlock();
        }
    }

    // ---- the lifecycle: one transition per event ----

    /** Moves the state for {@code event} and applies every effect. Never call with the lock held. */
    private StreamEffect.Batch step(Event event, long code) {
        StreamEffect.Batch effects;
        lock.lock();
        try {
            effects = stepLocked(event, code);
        } finally {
            lock.unlock();
        }
        apply(effects);
        return effects;
    }

    /**
     * Moves the state and applies the effects on the stream itself: its buffer, its timers (so a
     * timer is never armed for a stream already over), its waiters. Returns the rest for
     * {@link #apply}.
     */
    private StreamEffect.Batch stepLocked(Event event, long code) {
        assert lock.isHeldByCurrentThread();
        Transition t = state.on(event, recv.bufferedBytes() == 0, code);
        state = t.next();
        StreamEffect.Batch e = new StreamEffect.Batch();
        e.bits = t.effects();
        if (e.has(StreamEffect.DROP_UNREAD)) {
            recv.clear();
        }
        if (e.has(StreamEffect.DISCARD_UNREAD)) {
            e.creditBytes = recv.discardUnread(state.peerMaySend());
        }
        if (e.has(StreamEffect.SEND_ACK)) {
            e.ackDeltaBytes = recv.initialUpdate();
        }
        if (e.has(StreamEffect.CANCEL_OPEN_TIMER)) {
            timers.cancelOpen();
        }
        if (e.has(StreamEffect.ARM_CLOSE_TIMER)) {
            timers.armClose(this::onCloseTimeout, session.config.streamCloseTimeout());
        }
        if (e.has(StreamEffect.CANCEL_TIMERS)) {
            timers.cancelAll();
        }
        if (e.has(StreamEffect.RELEASE) || e.has(StreamEffect.RELEASE_WINDOW)) {
            recv.releaseWindow();
        }
        if (e.has(StreamEffect.WITHDRAW_DATA) || e.has(StreamEffect.REPORT_RESET)) {
            e.resetCode = state.resetCode();
            e.reset = new StreamResetException(id, state.resetCode(), state.resetByPeer());
        }
        if (e.has(StreamEffect.WAKE_READERS)) {
            readable.signalAll();
            session.reader().wakeLeader(this);
        }
        if (e.has(StreamEffect.WAKE_WRITERS)) {
            writable.signalAll();
        }
        return e;
    }

    /**
     * Applies the effects that reach beyond the stream, with its lock released, in this order:
     * frames (so our FIN or RST is queued before the session may close for a drain), withdrawn
     * data, the session's slots and queue, removal.
     */
    private void apply(StreamEffect.Batch e) {
        assert !lock.isHeldByCurrentThread() : "the session is never called with a stream lock held";
        if (e.bits == 0) {
            return;
        }
        Outbound out = session.outbound;
        if (e.has(StreamEffect.SEND_ACK)) {
            out.writeControlLater(FrameType.WINDOW_UPDATE, Flags.ACK, id, e.ackDeltaBytes);
        }
        if (e.has(StreamEffect.SEND_RST)) {
            out.writeControlLater(FrameType.WINDOW_UPDATE, Flags.RST, id, e.resetCode);
        } else if (e.has(StreamEffect.SEND_FIN)) {
            // One frame carries both the FIN and the credit for discarded bytes.
            out.writeControlLater(FrameType.WINDOW_UPDATE, Flags.FIN, id, e.creditBytes);
        } else if (e.creditBytes > 0) {
            out.writeControlLater(FrameType.WINDOW_UPDATE, 0, id, e.creditBytes);
        }
        if (e.has(StreamEffect.WITHDRAW_DATA)) {
            out.withdrawData(id, e.reset);
        }
        if (e.has(StreamEffect.REPORT_RESET)) {
            session.counters.streamReset(id, e.reset.errorCode(), e.reset.isRemote());
        }
        if (e.has(StreamEffect.RELEASE_ACK_SLOT)) {
            session.releaseAckSlot();
        }
        if (e.has(StreamEffect.LEAVE_ACCEPT_QUEUE)) {
            session.leaveAcceptQueue(this);
        }
        if (e.has(StreamEffect.REMOVE)) {
            session.removeStream(this);
        }
        if (e.has(StreamEffect.RELEASE)) {
            session.releaseInboundSlot(this);
        }
    }

    // ---- internals ----

    private void checkNotClosed() throws StreamClosedException {
        lock.lock();
        try {
            if (state.local() == StreamState.Local.CLOSED) {
                throw new StreamClosedException("stream " + Integer.toUnsignedString(id) + " is closed");
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkReadable() throws IOException {
        lock.lock();
        try {
            checkReadableLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes this stream's waiting readers so that one of them may take the read role ({@link SessionReader#lead}). */
    void wakeReaders() {
        signalAll(readable);
    }

    /** For {@link SessionReader#lead}: whether a read would still wait, with the deadline it saw. */
    boolean readMayBlock(long deadlineNanos) {
        lock.lock();
        try {
            return recv.bufferedBytes() == 0 && readDeadlineNanos == deadlineNanos && state.peerMaySend() && !state.readClosed()
                    && state.local() != StreamState.Local.CLOSED && state.phase() != StreamState.Phase.RESET
                    && session.failureForCaller() == null;
        } finally {
            lock.unlock();
        }
    }

    private void checkReadableLocked() throws IOException {
        if (state.local() == StreamState.Local.CLOSED) {
            throw new StreamClosedException("stream " + Integer.toUnsignedString(id) + " is closed");
        }
        if (state.phase() == StreamState.Phase.RESET) {
            throw new StreamResetException(id, state.resetCode(), state.resetByPeer());
        }
    }

    private void checkWritable() throws IOException {
        lock.lock();
        try {
            checkWritableLocked();
        } finally {
            lock.unlock();
        }
    }

    private void checkWritableLocked() throws IOException {
        checkReadableLocked();
        if (!state.canWrite()) {
            throw new StreamClosedException("stream " + Integer.toUnsignedString(id) + " is closed for writing");
        }
        IOException failure = session.failureForCaller();
        if (failure != null) {
            throw failure;
        }
    }

    private void signalAll(Condition condition) {
        lock.lock();
        try {
            condition.signalAll();
        } finally {
            lock.unlock();
        }
    }
}

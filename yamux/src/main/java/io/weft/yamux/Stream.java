package io.weft.yamux;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
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
 * <p>Lock order: {@code readSerial} / {@code writeSerial} → session lock → {@code lock} (the
 * stream lock, guarding state and the parts that have no lock of their own: {@link RecvSide},
 * {@link SendWindow}, {@link FinGate}) → {@code Outbound}'s lock. Frames are queued after the
 * stream lock is released. {@link StreamTimers} takes no lock, so it is used under any of them.
 */
public final class Stream implements Conn {

    private final Session session;
    private final int id;
    /** Whether this side opened the stream. */
    final boolean outbound;
    /** Whether the peer has not ACKed this outbound stream yet. Guarded by the session lock. */
    boolean awaitingAck;

    private final ReentrantLock readSerial = new ReentrantLock();
    private final ReentrantLock writeSerial = new ReentrantLock();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    // Guarded by lock.
    private StreamState state;
    private boolean closed;
    private int resetCode;
    private boolean resetRemote;
    private final FinGate finGate = new FinGate();
    /** CLOSED or RESET and removed from the session ({@link #finish()} ran). */
    private boolean finished;
    private final RecvSide recv;
    private final SendWindow sendWindow = new SendWindow();
    final StreamTimers timers;

    private volatile long readDeadlineNanos = Deadlines.NONE;
    private volatile long writeDeadlineNanos = Deadlines.NONE;
    private final InputStream inputView = new StreamIo.Input(this);
    private final OutputStream outputView = new StreamIo.Output(this);

    Stream(Session session, int id, StreamState state, RecvWindow recvWindow, boolean outbound) {
        this.session = session;
        this.id = id;
        this.state = state;
        this.recv = new RecvSide(recvWindow, session::rttNanosForTuning);
        this.outbound = outbound;
        this.awaitingAck = outbound;
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
     * Reads buffered or arriving data, returning its credit to the peer as it is consumed.
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
            boolean release;
            lock.lock();
            try {
                while (true) {
                    checkReadableLocked();
                    if (recv.bufferedBytes() > 0) {
                        n = recv.read(dst);
                        delta = recv.consumed(n, state.peerMaySend());
                        release = recv.releaseIfDrained(finished);
                        break;
                    }
                    if (recv.isShutdown() || !state.peerMaySend()) {
                        return -1;
                    }
                    IOException failure = session.failureForCaller();
                    if (failure != null) {
                        throw failure;
                    }
                    Deadlines.await(readable, readDeadlineNanos, "read");
                }
            } finally {
                lock.unlock();
            }
            if (delta > 0) {
                session.outbound.writeControlLater(FrameType.WINDOW_UPDATE, 0, id, delta);
            }
            if (release) {
                session.releaseInboundSlot(this);
            }
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
     * @throws StreamResetException after a reset
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
                } finally {
                    dataFrameWritten(withdrawnBytes);
                }
                src.position(src.position() + granted);
                total += granted;
                session.counters.bytesOut.add(granted);
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
                    finGate.dataFrameGranted();
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
     * Sends FIN once; we can still read. Idempotent; no effect after a reset. Does not block: a
     * write blocked for window fails with {@link StreamClosedException} at once, and if a data
     * frame of a concurrent write is already on its way to the connection, the FIN is sent by
     * that writer right after the frame is written, so it never overtakes the stream's data.
     */
    @Override
    public void closeWrite() {
        boolean sendFinNow;
        boolean finished;
        lock.lock();
        try {
            if (!state.canSendFin()) {
                return;
            }
            state = state.afterFinSent();
            finished = state.isTerminal();
            sendFinNow = !finGate.oweFin();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
        if (sendFinNow) {
            sendFin(finished);
        }
    }

    /**
     * A data frame of {@link #write} left {@link Outbound#writeData}: written, withdrawn at the
     * write deadline ({@code withdrawnBytes} of credit come back), or the session failed.
     */
    private void dataFrameWritten(int withdrawnBytes) {
        boolean sendFin;
        boolean finished;
        lock.lock();
        try {
            sendWindow.giveBack(withdrawnBytes);
            // A reset meanwhile replaces the FIN (and has finished the stream already).
            sendFin = finGate.dataFrameLeft() && state != StreamState.RESET;
            finished = sendFin && state == StreamState.CLOSED;
        } finally {
            lock.unlock();
        }
        if (sendFin) {
            sendFin(finished);
        }
    }

    /** Queues our FIN; {@code finished} when it completes the close (the peer's FIN came first). */
    private void sendFin(boolean finished) {
        session.outbound.writeControlLater(FrameType.WINDOW_UPDATE, Flags.FIN, id, 0);
        if (finished) {
            finish();
        }
    }

    /** Stops reading: blocked and later reads return -1; later inbound data is discarded and credited. Idempotent. */
    @Override
    public void closeRead() {
        long delta;
        boolean release;
        lock.lock();
        try {
            delta = recv.shutdown(state.peerMaySend());
            release = recv.releaseIfDrained(finished);
            readable.signalAll();
        } finally {
            lock.unlock();
        }
        if (delta > 0) {
            session.outbound.writeControlLater(FrameType.WINDOW_UPDATE, 0, id, delta);
        }
        if (release) {
            session.releaseInboundSlot(this);
        }
    }

    /**
     * Closes both directions: FIN (once) plus {@link #closeRead()}; blocked and later calls throw
     * {@link StreamClosedException}. Idempotent.
     */
    @Override
    public void close() {
        boolean sendFin;
        boolean sendFinNow;
        boolean finished;
        boolean finishHere;
        boolean release;
        long delta;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            delta = recv.shutdown(state.peerMaySend());
            release = recv.releaseIfDrained(this.finished); // a stream finished earlier, now emptied
            sendFin = state.canSendFin();
            if (sendFin) {
                state = state.afterFinSent();
            }
            finished = state.isTerminal();
            sendFinNow = sendFin && !finGate.oweFin();
            // While a FIN is owed (ours, or an earlier closeWrite's), its sender finishes a CLOSED
            // stream once the FIN is queued, so the stream stays registered until then.
            finishHere = finished && !finGate.finOwed();
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
        if (sendFinNow) {
            // One frame carries both the FIN and the credit for the discarded bytes.
            session.outbound.writeControlLater(FrameType.WINDOW_UPDATE, Flags.FIN, id, delta);
        } else if (delta > 0) {
            session.outbound.writeControlLater(FrameType.WINDOW_UPDATE, 0, id, delta);
        }
        if (release) {
            session.releaseInboundSlot(this);
        }
        if (finishHere) {
            finish();
        } else if (!finished && !session.isClosed()) {
            timers.armClose(this::onCloseTimeout, session.config.streamCloseTimeout());
        }
    }

    private void onCloseTimeout() {
        lock.lock();
        try {
            if (state.isTerminal()) {
                return;
            }
        } finally {
            lock.unlock();
        }
        session.log.warn("close-timeout", "peer did not close stream " + Integer.toUnsignedString(id) + " within "
                + session.config.streamCloseTimeout() + "; resetting it");
        resetQuietly(0);
    }

    /** Resets the stream with code 0; see {@link #reset(int)}. */
    public void reset() {
        reset(0);
    }

    /**
     * Resets the stream: sends {@code WindowUpdate|RST} carrying {@code errorCode} in its length
     * field, drops buffered data, and fails blocked and later calls with {@link StreamResetException}.
     * No effect on a stream already reset or fully closed.
     */
    public void reset(int errorCode) {
        resetQuietly(errorCode);
    }

    void resetQuietly(int errorCode) {
        lock.lock();
        try {
            if (state.isTerminal()) {
                return;
            }
            state = state.afterResetSent();
            resetCode = errorCode;
            resetRemote = false;
            recv.clear();
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
        session.outbound.writeControlLater(FrameType.WINDOW_UPDATE, Flags.RST, id, Integer.toUnsignedLong(errorCode));
        session.counters.streamsReset.increment();
        YamuxEvents.streamReset(id, errorCode, false);
        finish();
    }

    /** Whether {@link #close()} or a reset has not happened yet. */
    @Override
    public boolean isOpen() {
        lock.lock();
        try {
            return !closed && state != StreamState.RESET && !session.isClosed();
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
        return inputView;
    }

    /** An {@link OutputStream} view; the same object each time; closing it closes the stream; flush does nothing. */
    @Override
    public OutputStream outputStream() {
        return outputView;
    }

    @Override
    public String toString() {
        return "Stream[" + Integer.toUnsignedString(id) + " " + (session.isClient() ? "client" : "server") + "]";
    }

    // ---- called by the session and its reader ----

    /** Sends our SYN as {@code WindowUpdate|SYN} carrying the window beyond 256 KiB (additive). */
    void sendSyn() {
        sendOpening(Flags.SYN);
    }

    /** The application accepted this inbound stream: send the ACK with any extra window. */
    void onAccepted() {
        sendOpening(Flags.ACK);
    }

    /** Sends the SYN or ACK that opens our direction, as {@code WindowUpdate} with the initial window. */
    private void sendOpening(int flag) {
        long delta;
        lock.lock();
        try {
            if (state.isTerminal()) {
                return; // reset already, e.g. an open timeout shorter than openStream() itself fired
            }
            delta = recv.initialUpdate();
            state = flag == Flags.SYN ? state.afterSynSent() : state.afterAccept();
        } finally {
            lock.unlock();
        }
        session.outbound.writeControlLater(FrameType.WINDOW_UPDATE, flag, id, delta);
    }

    /** Whether the open timeout is still armed. Visible for testing. */
    boolean openTimerArmed() {
        return timers.openArmed();
    }

    /**
     * Applies a received frame's flags (ACK, FIN, RST in that order).
     *
     * @param resetCode the code of a {@code WindowUpdate|RST}, 0 otherwise
     */
    void onFlags(int flags, int resetCode) {
        if ((flags & (Flags.ACK | Flags.FIN | Flags.RST)) == 0) {
            return;
        }
        boolean finished;
        boolean reset;
        lock.lock();
        try {
            StreamState previous = state;
            state = previous.afterReceived(flags);
            reset = state == StreamState.RESET && previous != StreamState.RESET;
            if (reset) {
                this.resetCode = resetCode;
                resetRemote = true;
                recv.clear();
            }
            // The peer's FIN completing a close whose own FIN is still owed: the FIN's sender
            // finishes the stream, so it stays registered until our FIN is queued.
            finished = state.isTerminal() && !previous.isTerminal() && !(state == StreamState.CLOSED && finGate.finOwed());
            if ((flags & Flags.ACK) != 0) {
                timers.cancelOpen();
            }
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
        if ((flags & Flags.ACK) != 0 && outbound) {
            session.releaseAckSlot(this);
        }
        if (reset) {
            session.counters.streamsReset.increment();
            YamuxEvents.streamReset(id, resetCode, true);
        }
        if (finished) {
            finish();
        }
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
            if (state == StreamState.RESET) {
                return RecvSide.ADMIT_DISCARD; // reset by this very frame: drain it
            }
            afterFin = !state.peerMaySend();
            admitted = recv.admit(bytes, afterFin);
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
            if (state == StreamState.RESET || !state.peerMaySend()) {
                // Reset, or data after the peer's FIN (written off in admitData: only the reader
                // thread applies the peer's FIN, after this frame's payload, so both calls agree).
                return;
            }
            if (recv.isShutdown()) {
                // Discarded bytes count as consumed, so the peer gets its credit back.
                delta = recv.consumed(length, state.peerMaySend());
            } else {
                recv.append(src, offset, length);
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
        lock.lock();
        try {
            timers.cancelAll();
            recv.releaseWindow();
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
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

    // ---- internals ----

    /**
     * The stream is over: remove it from the session and cancel its timer. Its window growth and
     * inbound slot are freed now if nothing unread is buffered, else once that data is read to
     * end of stream or discarded by {@link #close()} / {@link #closeRead()}: until then the bytes
     * still occupy the memory the bound charges to a live stream.
     */
    private void finish() {
        boolean release;
        lock.lock();
        try {
            if (finished) {
                return;
            }
            finished = true;
            timers.cancelAll();
            release = recv.releaseIfDrained(finished);
        } finally {
            lock.unlock();
        }
        session.removeStream(this);
        if (release) {
            session.releaseInboundSlot(this);
        }
    }

    int available() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, recv.bufferedBytes());
        } finally {
            lock.unlock();
        }
    }

    private void checkNotClosed() throws StreamClosedException {
        lock.lock();
        try {
            if (closed) {
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

    private void checkReadableLocked() throws IOException {
        if (closed) {
            throw new StreamClosedException("stream " + Integer.toUnsignedString(id) + " is closed");
        }
        if (state == StreamState.RESET) {
            throw new StreamResetException(id, resetCode, resetRemote);
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

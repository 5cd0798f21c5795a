package io.weft.yamux;

import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import io.weft.yamux.frame.GoAwayCodes;
import io.weft.yamux.frame.MalformedFrameException;
import io.weft.netpoll.DeadlineExceededException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * The session's one reader thread: decodes frames from the connection and dispatches them.
 * It never runs user code and never writes; frames it produces are queued on {@link Outbound},
 * never dropped. It is the only thread that throttles the peer: before each frame it waits while
 * {@link Outbound#CONTROL_QUEUE_LIMIT} control frames are unsent (the peer does not read them), so
 * it stops reading from a peer that does not read, and the queue stays bounded. Data is copied
 * from its input buffer into the stream's buffer in pieces, so it never blocks on the connection
 * while holding a stream lock, and allocates nothing per frame except receive chunks for admitted
 * bytes.
 *
 * <p>Every exit goes through one place: a peer protocol violation sends GoAway(1); an unexpected
 * exception sends GoAway(2); the end of the connection fails the session. No exception escapes.
 *
 * <p>Leader/follower ({@link ReadRole}): over a transport that allows it, a stream's reader on a
 * platform thread (or on a virtual thread, while the session has at most one other stream, {@link
 * #mayLead}) that finds nothing buffered reads frames itself
 * ({@link #lead}), one frame at a time, while the role is free; the reader thread gives the role
 * up after it delivered data to such a caller, and takes it back once nobody wanted it for
 * {@link ReadRole#GRACE_NANOS}. The leader runs this class's code only, never user code. A leader
 * is woken for its own stream's close, reset or deadline by a read deadline in the past on the
 * connection ({@link #wakeLeader}), and by an interrupt; it leaves at once, wherever it is: a
 * part-read header stays in the input buffer, a part-read payload in {@link FrameInProgress}, both
 * owned by the session and handed with the role, and a leader that leaves inside a frame hands the
 * role straight back to the reader thread, which resumes exactly there. One thread reads at a
 * time (asserted in {@link #step}).
 */
final class SessionReader implements Runnable {
    private final Session session;
    private final Transport transport;
    /** Small while the connection is quiet, large under load; see {@link ReaderBuffer}. */
    private final ReaderBuffer buffer;
    /** {@code buffer}'s current buffer and its array, renewed by {@link #fill}; unread bytes are [position, limit). */
    private ByteBuffer in;
    private byte[] bytes;
    /** The largest window this session ever grants: no data frame, on any stream, may be longer. */
    private final long maxUnknownStreamFrameBytes;
    /** Thrown inside a leader only, to leave a frame start when the control queue is full (the reader thread waits there). */
    private static final InterruptedIOException CONTROL_FULL = signal("control queue full");
    /**
     * Thrown inside a leader only, to leave before a ping request (its header stays buffered): the
     * reply is preceded by {@link YamuxConfig#peerPingListener()}, user code, which runs on the
     * reader thread, never on a leading caller.
     */
    private static final InterruptedIOException PING_REQUEST = signal("ping request for the reader thread");
    /** Thrown inside the reader thread only, to leave a frame start when a caller asked for the role. */
    private static final InterruptedIOException HAND_OFF = signal("hand the read role over");
    /** A stackless exception thrown only as a signal inside this reader, recognised by identity. */
    private static InterruptedIOException signal(String message) {
        return new InterruptedIOException(message) {
            @Override
            public Throwable fillInStackTrace() {
                return this;
            }
        };
    }

    /** Whether a valid frame header has been read: until then a bad one means the peer may not speak yamux. */
    private boolean framesSeen;
    /** Who reads the connection now. */
    private final ReadRole role = new ReadRole();
    /** Times a caller took the role ({@link #lead}); written by the taker right after its CAS. */
    private volatile long leads;
    /** Hand-offs in a row that no caller took before the reader thread took the role back ({@link ReadRole#missedHandOffsAfter}); reader thread only. */
    private volatile int missedHandOffs;
    /** Whether callers may read the connection themselves ({@link Transport#leadable()}, {@link #mayLead}). */
    private final boolean leadable;
    /** The session's reader thread, once started. */
    private volatile Thread dedicated;
    /** Whether the reader thread sleeps until the leader releases the role ({@link ReadRole#UNTIL_RELEASED}). */
    private volatile boolean asleepUntilReleased;
    /** A stream whose caller asked for the role ({@link #requestRole}); its holder hands it over after a frame, or wakes it on release. */
    private volatile Stream handOffFor;
    /** The stream, and thread, that lead now; null otherwise. */
    private volatile Stream leaderStream;
    private volatile Thread leaderThread;
    /** Whether the connection's read deadline may be set (a leader's own, or a wake-up); cleared by the role holder. */
    private volatile boolean deadlineDirty;
    /** The data frame whose payload is part-read; survives a leader leaving in the middle of it. */
    private final FrameInProgress frame = new FrameInProgress();
    /** The thread inside {@link #step}, checked by assertions only: never two at once. */
    private final java.util.concurrent.atomic.AtomicReference<Thread> stepping = new java.util.concurrent.atomic.AtomicReference<>();
    /** Frames read by leading callers (written by the role holder only); for tests and diagnostics. */
    private volatile long ledFrames;

    SessionReader(Session session, Transport transport) {
        this.session = session;
        this.transport = transport;
        this.buffer = new ReaderBuffer(session.clock);
        this.in = buffer.current();
        this.bytes = in.array();
        this.maxUnknownStreamFrameBytes = Math.max(session.config.maxAutoTunedWindowBytes(),
                session.config.streamWindowBytes());
        this.leadable = transport.leadable();
    }

    @Override
    public void run() {
        dedicated = Thread.currentThread();
        try {
            while (step()) {
                Stream waiting = takeHandOffRequest();
                if (waiting != null) {
                    long leadsBefore = leads;
                    role.apply(ReadRole.Event.HAND_OFF, System.nanoTime());
                    // Wake it even if this frame's data did: that wake-up may have been taken by the
                    // read before, and this request for the role come from the read after.
                    waiting.wakeReaders();
                    if (!awaitReclaim(leadsBefore)) {
                        return;
                    }
                }
            }
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("only a leader leaves before a frame", e);
        }
    }

    /**
     * The reader thread, having given the role away, waits until it is free long enough to take
     * back; false once reading ended. The grace is measured on {@link System#nanoTime()}, not the
     * session clock: it bounds real parks, and a test's manual clock must not stop the reader.
     */
    private boolean awaitReclaim(long leadsBefore) {
        long backoffNanos = 0;
        int lastState = ReadRole.FREE;
        long lastFreedAtNanos = 0; // written at every release: unchanged between two looks at LEADER, one lead lasted
        while (true) {
            int state = role.state();
            if (state == ReadRole.DEDICATED) {
                missedHandOffs = 0;
                return true; // a leader that left inside a frame gave the role straight back
            }
            long freedAtNanos = role.freedAtNanos();
            boolean sameLead = lastState == ReadRole.LEADER && state == ReadRole.LEADER && freedAtNanos == lastFreedAtNanos;
            long graceNanos = leads != leadsBefore ? ReadRole.GRACE_NANOS : ReadRole.graceNanos(missedHandOffs);
            long waitNanos = ReadRole.reclaimWaitNanos(state, System.nanoTime() - freedAtNanos, backoffNanos, graceNanos,
                    sameLead);
            lastState = state;
            lastFreedAtNanos = freedAtNanos;
            if (waitNanos < 0) {
                return false;
            }
            if (waitNanos == 0) {
                if (role.apply(ReadRole.Event.RECLAIM, 0)) {
                    missedHandOffs = ReadRole.missedHandOffsAfter(missedHandOffs, leads != leadsBefore);
                    return true;
                }
                continue; // a caller took it meanwhile
            }
            if (waitNanos == ReadRole.UNTIL_RELEASED) {
                // Published, then looked at again: a release after this look sees the flag and wakes us.
                asleepUntilReleased = true;
                if (role.state() == ReadRole.LEADER && role.freedAtNanos() == freedAtNanos) {
                    LockSupport.park(this);
                }
                asleepUntilReleased = false;
                backoffNanos = 0;
                continue;
            }
            if (state == ReadRole.LEADER) {
                backoffNanos = waitNanos;
            }
            LockSupport.parkNanos(this, waitNanos);
        }
    }

    /**
     * A caller that {@link #lead} refused asks for the role just before it waits for its stream's
     * data, holding its stream's lock from here until it waits (a hand-off's wake-up takes that
     * lock, so it cannot come in between): it records itself in {@link #handOffFor}, then looks
     * at the role again. Where the reader thread holds it, that thread is woken out of its read
     * and hands the role over at its next frame boundary; a leader that releases it wakes the
     * caller ({@link #leave}). Asked earlier, as the caller left {@link #lead}, the request could
     * be taken (and its wake-up find nobody waiting) before the caller waited, and the caller then
     * wait unasked while somebody else held the role. Not while the control queue is full (that
     * is the reader thread's to wait out, {@link #lead}).
     *
     * @return whether the role is free now: the caller should {@link #lead} instead of waiting
     */
    boolean requestRole(Stream stream) {
        if (session.outbound.controlQueueFull()) {
            return false;
        }
        handOffFor = stream;
        int state = role.state();
        if (state == ReadRole.DEDICATED) {
            poke();
        }
        return state == ReadRole.FREE;
    }

    /** Takes the caller's request for the role ({@link #requestRole}), if any, in one step: a request made meanwhile is never lost. */
    private Stream takeHandOffRequest() {
        return handOffFor == null ? null : (Stream) HAND_OFF_FOR.getAndSet(this, null);
    }

    private static final java.lang.invoke.VarHandle HAND_OFF_FOR;

    static {
        try {
            HAND_OFF_FOR = java.lang.invoke.MethodHandles.lookup().findVarHandle(SessionReader.class, "handOffFor", Stream.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Outcome of {@link #lead}: the caller read a frame (or found its wait over); it should look at its stream again. */
    static final boolean LED = true;

    /**
     * A stream's reader that found nothing buffered reads one frame itself, if it may ({@link
     * #mayLead}) and nobody else reads; the stream lock is not held.
     * Otherwise (false) it should ask for the role ({@link #requestRole}) and wait for the role
     * holder to deliver or hand the role over.
     *
     * <p>The leader leaves as soon as its read of the connection is woken (its deadline, its
     * stream's close or reset, a new deadline), even inside a frame; see {@link FrameInProgress}.
     *
     * @param deadlineNanos the stream's read deadline as the caller saw it ({@link Deadlines#NONE} = none)
     * @throws InterruptedIOException if the caller is interrupted while it reads (the flag is kept)
     */
    boolean lead(Stream stream, long deadlineNanos) throws IOException {
        if (!mayLead()) {
            return false;
        }
        if (session.outbound.controlQueueFull()) {
            // A leader does not wait for control space (that wait ignores its deadline): the reader
            // thread must read now, or the caller, finding the role free again, would retry at once.
            if (takeRole()) {
                returnToReaderThread();
            }
            return false;
        }
        if (!takeRole()) {
            return false; // the caller asks for the role (requestRole) where it then waits
        }
        boolean between = false; // whether the leader leaves after a whole frame
        try {
            if (deadlineDirty || deadlineNanos != Deadlines.NONE) {
                deadlineDirty = deadlineNanos != Deadlines.NONE;
                try {
                    transport.setReadDeadline(deadlineNanos == Deadlines.NONE ? null
                            : java.time.Instant.now().plusNanos(deadlineNanos - System.nanoTime()));
                } catch (IOException e) {
                    // closed (the session may have failed since the caller looked): the read below
                    // fails and ends the session, and the caller gets the session's error, not this
                }
            }
            leaderThread = Thread.currentThread();
            leaderStream = stream;
            // A close, reset or new deadline before leaderStream was published did not wake us: look again.
            if (!stream.readMayBlock(deadlineNanos)) {
                between = true;
                return LED;
            }
            try {
                if (step()) {
                    ledFrames++; // the role makes this thread the only writer
                }
                between = true;
            } catch (DeadlineExceededException e) {
                // woken, or the deadline passed, perhaps inside a frame: the caller looks at its stream.
                // The deadline is in the past whoever set it (a wake-up may land after the flag it
                // raised was cleared): clear it, or every later lead would end here at once.
                deadlineDirty = true;
            } catch (InterruptedIOException e) {
                if (e != CONTROL_FULL && e != PING_REQUEST) {
                    throw e; // interrupted: the caller's read fails, the flag stays set
                }
            }
            return LED;
        } finally {
            leaderStream = null;
            leaderThread = null;
            if (deadlineDirty) {
                deadlineDirty = false;
                clearDeadline();
            }
            leave(between);
        }
    }

    /**
     * The leader gives the role up: free between frames; inside a frame straight back to the
     * reader thread, woken now, so that the rest of the frame is read whether or not another
     * caller comes (the peer may be slow to send it). Also straight back while a ping of ours
     * awaits its reply: a reply left unread until a caller or the reader thread's grace came by
     * would lengthen the RTT sample, and window auto-tuning grows on it.
     */
    private void leave(boolean afterFrame) {
        if ((!afterFrame && (frame.active() || in.hasRemaining())) || session.pings.pendingCount() > 0) {
            returnToReaderThread();
        } else if (role.apply(ReadRole.Event.RELEASE, System.nanoTime())) {
            // A caller refused the role while this one led waits for its stream's data, and nobody
            // reads until the reader thread's grace ends (1-8 ms): wake it to take the free role now.
            // It published handOffFor before looking at the role again, and this release came before
            // this look, so one of the two sees the other (docs/yamux.md, "Threads").
            Stream waiting = takeHandOffRequest();
            if (waiting != null) {
                waiting.wakeReaders();
            }
            if (asleepUntilReleased) {
                LockSupport.unpark(dedicated); // it slept through a long lead; the grace starts now
            }
        }
    }

    /** A caller takes the free role, counted in {@link #leads}; false if it is not free. */
    private boolean takeRole() {
        if (!role.apply(ReadRole.Event.LEAD, 0)) {
            return false;
        }
        leads++; // the role makes this thread the only writer
        return true;
    }

    /** The leader hands the role straight back to the reader thread and wakes it. */
    private void returnToReaderThread() {
        if (role.apply(ReadRole.Event.RETURN, 0)) {
            LockSupport.unpark(dedicated);
        }
    }

    /**
     * Whether the calling thread may {@link #lead} now, over a transport that allows it: a platform
     * thread always; a virtual thread only while the session has at most
     * {@link #FEW_STREAMS} streams. A virtual caller that leads is woken by the
     * poller itself instead of by the reader thread, one hand-off less per message (64 B round
     * trips +35 %, docs/benchmarks.md); with many streams, callers taking turns cost a wake-up of
     * the reader thread per turn.
     */
    boolean mayLead() {
        return leadable && (!Thread.currentThread().isVirtual() || session.streamCount() <= FEW_STREAMS);
    }

    /**
     * The most streams a session may have for its callers to do the session's work themselves: a
     * virtual caller {@link #lead}s, and a reader writes the window update its read made due on
     * its own thread ({@link Stream#read}) rather than waking the writer thread; one thread
     * hand-off less each. Its own stream and one other: an interactive stream beside a bulk one
     * is a tunnel's everyday case. With more, the session's threads serve them and batch across
     * streams. Measured (docs/benchmarks.md): with 2, 64 B round trips beside a bulk stream
     * rose 1.2-1.6x and their p99 fell 13-30 %, the bulk stream still above Go's; virtual callers
     * leading with 8 streams cost 8-stream bulk 15 %, with no limit stream churn 8-15 %; window
     * updates written by 8 readers themselves cost 8-stream bulk 12 %.
     */
    static final int FEW_STREAMS = 2;

    /**
     * Wakes the caller leading for {@code stream}, if one does and it is not the calling thread,
     * so that it sees its stream's close, reset or new deadline. Does not block.
     */
    void wakeLeader(Stream stream) {
        if (leaderStream == stream && leaderThread != Thread.currentThread()) {
            poke();
        }
    }

    /** Wakes whoever waits in a read of the connection: a read deadline in the past. */
    private void poke() {
        deadlineDirty = true;
        try {
            transport.setReadDeadline(java.time.Instant.EPOCH);
        } catch (IOException e) {
            // closed: the read fails anyway
        }
    }

    private void clearDeadline() {
        try {
            transport.setReadDeadline(null);
        } catch (IOException e) {
            // closed: the next read reports it
        }
    }

    /**
     * Reads one frame as the role holder; false when reading is over (the end was handled and
     * the role ended), or one more piece of a frame a leader left. A leader's
     * {@link InterruptedIOException} (a deadline, an interrupt, a full control queue) passes
     * through wherever it happened: the input buffer and {@link #frame} keep the place.
     */
    private boolean step() throws InterruptedIOException {
        assert stepping.compareAndSet(null, Thread.currentThread()) : "two readers: " + stepping.get() + " and " + Thread.currentThread();
        try {
            return stepOnce();
        } finally {
            assert stepping.compareAndSet(Thread.currentThread(), null) : "reader changed under " + Thread.currentThread();
        }
    }

    private boolean stepOnce() throws InterruptedIOException {
        try {
            if (readFrame()) {
                return true;
            }
            session.onTransportEnd(null);
        } catch (InterruptedIOException e) {
            if (leadable && Thread.currentThread() != dedicated) {
                throw e;
            }
            if (e == HAND_OFF) {
                return true;
            }
            session.onTransportEnd(e);
        } catch (YamuxProtocolException e) {
            session.onProtocolError(e);
        } catch (MalformedFrameException e) {
            session.onProtocolError(framesSeen
                    ? new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, e.getMessage(), false)
                    : YamuxProtocolException.notYamux(GoAwayCodes.PROTOCOL_ERROR, e.getMessage(), unreadBytes()));
        } catch (IOException e) {
            session.onTransportEnd(e);
        } catch (RuntimeException | Error e) {
            RateLimitedLog.LOGGER.log(System.Logger.Level.ERROR, session + ": reader failed", e);
            session.fail(new SessionClosedException("yamux internal error: " + e, e), GoAwayCodes.INTERNAL_ERROR);
        }
        role.apply(ReadRole.Event.END, 0);
        Thread reader = dedicated;
        if (reader != null && reader != Thread.currentThread()) {
            LockSupport.unpark(reader);
        }
        return false;
    }

    /** Reads and handles one frame; returns false at a clean end of the connection. */
    private boolean readFrame() throws IOException {
        if (frame.active()) {
            readPayload(); // the rest of a frame a leader left part-read
            return true;
        }
        // One frame queues at most a few control frames, so waiting here, between frames, keeps the
        // queue within a few frames of its limit whatever the peer sends. A leader never waits here.
        if (leadable && Thread.currentThread() != dedicated) {
            if (session.outbound.controlQueueFull()) {
                throw CONTROL_FULL; // checked, never awaited: the queue may fill after this look
            }
        } else {
            session.outbound.awaitControlSpace();
        }
        if (!fill(FrameHeader.SIZE, true)) {
            return false;
        }
        int at = in.position();
        FrameType type = FrameHeader.checkedType(bytes, at);
        int flags = FrameHeader.flagsAt(bytes, at);
        if (type == FrameType.PING && (flags & Flags.SYN) != 0 && leadable && Thread.currentThread() != dedicated) {
            throw PING_REQUEST; // the listener is user code: the reader thread reads this frame
        }
        int streamId = FrameHeader.streamIdAt(bytes, at);
        long length = FrameHeader.lengthAt(bytes, at);
        in.position(at + FrameHeader.SIZE);
        framesSeen = true;
        session.pings.markReceived();
        session.counters.frameIn(type);
        switch (type) {
            case DATA -> onData(streamId, flags, length);
            case WINDOW_UPDATE -> onWindowUpdate(streamId, flags, length);
            case PING -> session.pings.onFrame(flags, length); // any stream id tolerated, as hashicorp
            case GO_AWAY -> session.onGoAway(length);
        }
        return true;
    }

    private void onData(int streamId, int flags, long length) throws IOException {
        // First the one bound that holds for every data frame, whatever its flags and stream: no
        // window we grant is larger, so a longer frame is never read, drained or buffered.
        if (length > maxUnknownStreamFrameBytes) {
            throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, length + " bytes of data beyond the receive window on stream "
                    + Integer.toUnsignedString(streamId) + " (larger than any window granted)", false);
        }
        Stream stream = streamFor(streamId, flags);
        if (stream == null) {
            drain(streamId, length, (flags & Flags.SYN) != 0 ? FrameHeader.INITIAL_STREAM_WINDOW : maxUnknownStreamFrameBytes);
            return;
        }
        boolean fin = (flags & Flags.FIN) != 0;
        // The length is judged first, against the window, whatever the flags: a Data|RST frame
        // must not escape the check by resetting the stream before it (it would then be drained,
        // up to 4 GiB). Then ACK and RST apply before the payload, FIN after it: a reader woken by
        // the FIN must already find the frame's data buffered (Data|FIN carries the last bytes).
        if (length > 0) {
            admit(stream, streamId, length);
        }
        stream.onFlags(flags & ~Flags.FIN, 0);
        if (length > 0) {
            session.counters.bytesIn.add(length);
            frame.begin(stream, length, fin);
            readPayload();
        } else if (fin) {
            stream.onFlags(Flags.FIN, 0);
        }
    }

    /** Charges a data frame's length to its stream's receive window; beyond it is a protocol error. */
    private void admit(Stream stream, int streamId, long length) throws YamuxProtocolException {
        int admitted = stream.admitData(length);
        if (admitted == RecvSide.ADMIT_VIOLATION) {
            throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, length + " bytes of data beyond the receive window on stream "
                    + Integer.toUnsignedString(streamId), false);
        }
    }

    /**
     * Reads the rest of {@link #frame}'s payload: hands it to its stream (which drops it if the
     * stream was reset meanwhile) or skips it, then applies the frame's FIN. Progress is recorded
     * piece by piece, so a leader may leave in any read and the next holder go on from there.
     */
    private void readPayload() throws IOException {
        Stream stream = frame.stream();
        while (frame.active()) {
            if (!in.hasRemaining()) {
                fill(1, false);
            }
            int piece = (int) Math.min(frame.remainingBytes(), in.remaining());
            if (stream != null) {
                stream.appendData(bytes, in.position(), piece);
            }
            in.position(in.position() + piece);
            frame.consumed(piece);
        }
        Stream finTo = frame.finish();
        if (finTo != null) {
            finTo.onFlags(Flags.FIN, 0);
        }
    }

    private void onWindowUpdate(int streamId, int flags, long length) throws IOException {
        Stream stream = streamFor(streamId, flags);
        if (stream == null) {
            return; // late update for a finished stream (js #91): ignore
        }
        boolean reset = (flags & Flags.RST) != 0;
        stream.onFlags(flags, reset ? length : 0);
        if (!reset && !stream.onWindowUpdate(length)) {
            throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, "window update of " + length
                    + " overflows the send window of stream " + Integer.toUnsignedString(streamId), false);
        }
    }

    /** The stream for a frame, registering it on SYN; null when unknown or refused. */
    private Stream streamFor(int streamId, int flags) throws YamuxProtocolException {
        if (streamId == 0) {
            throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, "data or window update on stream 0", false);
        }
        if ((flags & Flags.SYN) != 0) {
            return session.onInboundSyn(streamId);
        }
        return session.stream(streamId);
    }

    /** Skips a payload for a stream we do not know, without buffering it. */
    private void drain(int streamId, long length, long maxBytes) throws IOException {
        if (length > maxBytes) {
            throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, "data frame of " + length
                    + " bytes for unknown stream " + Integer.toUnsignedString(streamId) + " exceeds any window granted", false);
        }
        if (length > 0) {
            frame.begin(null, length, false);
            readPayload();
        }
    }

    /**
     * A read deadline meant for a leader met the reader thread's read, which goes on: clears the
     * deadline. Anything else (the reader thread interrupted) ends the connection.
     */
    private void recoverWakeUp(InterruptedIOException e) throws InterruptedIOException {
        if (!(e instanceof DeadlineExceededException)) {
            throw e;
        }
        deadlineDirty = false;
        clearDeadline();
    }

    /** A copy of the buffered, unread bytes, at most {@link YamuxProtocolException#FIRST_BYTES_LIMIT}. */
    private byte[] unreadBytes() {
        int count = Math.min(in.remaining(), YamuxProtocolException.FIRST_BYTES_LIMIT);
        return java.util.Arrays.copyOfRange(bytes, in.position(), in.position() + count);
    }

    /** Frames that callers read themselves ({@link #lead}). Visible for testing. */
    long ledFrames() {
        return ledFrames;
    }

    /** The session's reader thread, null before it starts. Visible for testing. */
    Thread readerThread() {
        return dedicated;
    }

    /** Hand-offs in a row no caller took. Visible for testing. */
    int missedHandOffs() {
        return missedHandOffs;
    }

    /** The stream whose caller leads now, or null. Visible for testing. */
    Stream leaderStream() {
        return leaderStream;
    }

    /** Who reads the connection now. Visible for testing. */
    ReadRole role() {
        return role;
    }

    /** The part-read data frame. Visible for testing (read it only while the role holder is parked). */
    FrameInProgress frameInProgress() {
        return frame;
    }

    /** The input buffer. Visible for testing. */
    ReaderBuffer buffer() {
        return buffer;
    }

    /** The timer's hook: drops the input buffer's large spare once unused for a while. */
    void releaseIdleSpare(long nowNanos) {
        buffer.releaseIdleSpare(nowNanos);
    }

    /**
     * Ensures at least {@code needed} unread bytes are buffered.
     *
     * @param atFrameStart whether an end of connection here is clean
     * @return false at a clean end (nothing buffered, at a frame start)
     */
    private boolean fill(int needed, boolean atFrameStart) throws IOException {
        if (in.remaining() >= needed) {
            return true;
        }
        in = buffer.beforeRead(); // the small or the large buffer, with the unread bytes
        bytes = in.array();
        in.compact(); // now in write mode: unread bytes are [0, position)
        try {
            while (in.position() < needed) {
                int roomBytes = in.remaining();
                int n;
                try {
                    n = transport.read(in);
                } catch (InterruptedIOException e) {
                    boolean leader = Thread.currentThread() != dedicated;
                    if (!leadable || leader) {
                        throw e; // a leader leaves wherever it is (the unread bytes and the frame stay); else the connection ends
                    }
                    recoverWakeUp(e);
                    if (atFrameStart && handOffFor != null) {
                        throw HAND_OFF; // a caller asked for the role: give it up before this frame
                    }
                    continue;
                }
                if (n < 0) {
                    if (atFrameStart && in.position() == 0) {
                        return false;
                    }
                    throw new TruncatedFrameException("connection ended in the middle of a frame");
                }
                buffer.afterRead(n, roomBytes);
            }
        } finally {
            in.flip();
        }
        return true;
    }
}

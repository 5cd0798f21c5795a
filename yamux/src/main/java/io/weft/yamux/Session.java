package io.weft.yamux;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import io.weft.yamux.frame.GoAwayCodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A yamux session: many {@link Stream}s multiplexed over one reliable, ordered connection,
 * wire-compatible with hashicorp/yamux.
 *
 * <p>Create one end with {@link #client} and the other with {@link #server}; they differ only in
 * stream ids (client odd, server even). Both ends may open and accept streams.
 *
 * <h2>Threads</h2>
 * All methods are thread-safe. Each session owns one reader thread and one writer thread (from
 * {@link YamuxConfig#threadFactory()}, virtual by default); keepalive and timeouts run on one
 * timer thread shared by all sessions; there is no thread per stream or ping. Neither the reader
 * nor the timer ever runs user code ({@link #closeFuture()} is completed on one more thread,
 * started when the session ends), and nothing that may block runs on the timer (closing the
 * connection is handed to a thread of its own). The reader never blocks on a write: frames it produces (ping
 * replies, window updates, RSTs, GoAway) are queued, and written by whichever application writer
 * holds the transport or by the writer thread. Over a netpoll {@code Conn} application writers
 * put their own frames on the wire, coalescing with concurrent writers; over other transports
 * the writer thread writes for them (see {@code Outbound}).
 *
 * <h2>Control frames</h2>
 * Application threads never wait for control-queue space, and no control frame (ping reply,
 * window update, RST) is ever dropped: only the reader throttles a peer that does not read ours,
 * by not reading from it while 1024 of them are unsent (see {@code Outbound}).
 *
 * <h2>Failure</h2>
 * The first failure (transport error, protocol error, keepalive timeout, write timeout, or the
 * peer's GoAway with an error code) is kept and reported to every blocked and later call on the
 * session and its streams at once. End of stream on a stream only ever means the peer's FIN.
 *
 * <p>Lock order: session {@code lock} → stream lock → {@code Outbound} lock. No lock is held
 * during transport I/O or while waiting for another object's lock in the other direction.
 */
public final class Session implements AutoCloseable {
    private static final long MAX_STREAM_ID = 0xFFFF_FFFFL;
    private static final long FORCED_CLOSE_NANOS = 100_000_000L;
    private static final AtomicInteger SESSION_NUMBERS = new AtomicInteger();

    private enum State { OPEN, DRAINING, CLOSED }

    final YamuxConfig config;
    final SessionCounters counters;
    final Outbound outbound;
    final RateLimitedLog log;
    final Pings pings;
    /** Callers the reader woke that have not run yet (bulk streams yield to them). */
    final WokenCallers wokenCallers = new WokenCallers();
    /** Time and scheduling of every timeout of this session and its streams. */
    final SessionClock clock;
    private final boolean client;
    private final Transport transport;
    private final AutoTuneBudget budget;
    /** This session's account in the shared {@link YamuxConfig#memoryBudget()}. */
    final SessionBudget memory;
    /** Bulk receive chunks recycled across this session's streams; dropped by the tick once idle. */
    final ChunkPool receiveChunks;
    private final String name;
    private final SessionReader reader;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the accept queue gains a stream or the session closes. */
    private final Condition acceptable = lock.newCondition();
    /** Signalled when an un-ACKed slot frees up, the peer goes away, or the session closes. */
    private final Condition openable = lock.newCondition();
    // Guarded by lock.
    private State state = State.OPEN;
    private final ArrayDeque<Stream> acceptQueue = new ArrayDeque<>();
    private long nextStreamId;
    private int unackedOutbound;
    private int inboundLive;

    private final ConcurrentHashMap<Integer, Stream> streams = new ConcurrentHashMap<>();
    /** The exception callers get once closed; written once under lock, before state = CLOSED is visible. */
    private volatile IOException failure;
    /**
     * Whether the call that closed the session was a clean close ({@link #close()} or the end of
     * a drain). Written once under lock, before {@link #failure}, by that call only: a clean close
     * requested after a failure must not turn the failure into "clean".
     */
    private volatile boolean cleanClose;
    /** The {@link #goAway()} drain timeout; cancelled when the session ends. Guarded by lock. */
    private SessionClock.Timeout drainTimer;
    private volatile boolean remoteGoAway;
    /** Completed by {@link #fail} itself; only our own waiters ({@link #awaitClose}) depend on it. */
    private final CompletableFuture<IOException> closed = new CompletableFuture<>();
    /**
     * What {@link #closeFuture()} hands out. Completed on a thread of its own, never by the thread
     * that failed the session: that may be the reader or the timer shared by every session, and
     * the application's dependent actions, which run on the completing thread, may block.
     */
    private final CompletableFuture<IOException> closedForUsers = new CompletableFuture<>();

    private volatile SessionClock.Timeout tick;

    private Session(Transport transport, YamuxConfig config, boolean client) {
        this.transport = transport;
        this.config = Objects.requireNonNull(config, "config");
        this.clock = config.clock();
        this.client = client;
        this.nextStreamId = client ? 1 : 2;
        this.memory = new SessionBudget(config.memoryBudget(), config);
        this.receiveChunks = new ChunkPool(clock);
        this.budget = config.windowAutoTuning() ? new AutoTuneBudget(config.autoTuneBudgetBytes(), memory) : null;
        this.name = "yamux " + (client ? "client" : "server") + " session " + SESSION_NUMBERS.incrementAndGet();
        this.log = new RateLimitedLog(name);
        this.counters = new SessionCounters(name);
        this.outbound = new Outbound(transport, counters, clock, config.threadFactory(),
                e -> fail(new SessionClosedException("connection write failed: " + e.getMessage(), e), -1));
        this.pings = new Pings(this);
        this.reader = new SessionReader(this, transport);
    }

    private static Session start(Transport transport, YamuxConfig config, boolean client) {
        Session session = new Session(transport, config, client);
        YamuxEvents.sessionStarted(session, transport.localAddress(), transport.remoteAddress());
        session.outbound.start();
        String refusal = session.memory.admitSession();
        if (refusal != null) { // GoAway(2) as the only frame; the reader drains the peer until the close
            config.memoryBudget().log.warn("session", "refused a new session: memory budget " + refusal);
            session.fail(new LimitExceededException("session refused: memory budget " + refusal), GoAwayCodes.INTERNAL_ERROR);
        }
        config.threadFactory().newThread(session.reader).start();
        long periodNanos = Math.min(config.keepAliveInterval().toNanos(), config.connectionWriteTimeout().toNanos()) / 4;
        session.tick = session.clock.every(session::tick, Math.clamp(periodNanos, 1_000_000L, 1_000_000_000L));
        if (session.isClosed()) {
            session.tick.cancel();
        }
        return session;
    }

    /** Starts the client end of a session over {@code conn} with the default configuration. */
    public static Session client(Conn conn) {
        return client(conn, YamuxConfig.defaults());
    }

    /** Starts the server end of a session over {@code conn} with the default configuration. */
    public static Session server(Conn conn) {
        return server(conn, YamuxConfig.defaults());
    }

    /**
     * Starts the client end (odd stream ids) of a session over {@code conn}. The session owns the
     * connection from now on and closes it when it ends.
     */
    public static Session client(Conn conn, YamuxConfig config) {
        return start(Transport.of(Objects.requireNonNull(conn, "conn"), config), config, true);
    }

    /** Starts the server end (even stream ids) of a session over {@code conn}; see {@link #client(Conn, YamuxConfig)}. */
    public static Session server(Conn conn, YamuxConfig config) {
        return start(Transport.of(Objects.requireNonNull(conn, "conn"), config), config, false);
    }

    /**
     * Starts the client end over any byte channel, such as a JDK {@code SocketChannel} in
     * blocking mode or a TLS socket's channel. Reads and writes may happen concurrently on it.
     * Connection write timeouts are enforced by closing the channel.
     */
    public static Session client(ByteChannel channel, YamuxConfig config) {
        return start(Transport.of(Objects.requireNonNull(channel, "channel"), config), config, true);
    }

    /** Starts the server end over any byte channel; see {@link #client(ByteChannel, YamuxConfig)}. */
    public static Session server(ByteChannel channel, YamuxConfig config) {
        return start(Transport.of(Objects.requireNonNull(channel, "channel"), config), config, false);
    }

    /**
     * Starts the client end over a stream pair, such as a process's stdin and stdout. Closing
     * the session closes both.
     */
    public static Session client(InputStream in, OutputStream out, YamuxConfig config) {
        return start(Transport.of(Objects.requireNonNull(in, "in"), Objects.requireNonNull(out, "out")), config, true);
    }

    /** Starts the server end over a stream pair; see {@link #client(InputStream, OutputStream, YamuxConfig)}. */
    public static Session server(InputStream in, OutputStream out, YamuxConfig config) {
        return start(Transport.of(Objects.requireNonNull(in, "in"), Objects.requireNonNull(out, "out")), config, false);
    }

    /** Whether this is the client end (odd stream ids). */
    public boolean isClient() {
        return client;
    }

    /**
     * Opens a stream, waiting at most {@link YamuxConfig#streamOpenTimeout()} for an un-ACKed
     * slot. Never waits for the peer's ACK: the SYN goes out at once and data may follow.
     *
     * @throws RemoteGoAwayException if the peer sent GoAway
     * @throws StreamsExhaustedException if no stream id is left
     * @throws LimitExceededException if the {@link YamuxConfig#memoryBudget()} has no room for another stream
     * @throws DeadlineExceededException if no un-ACKed slot freed up in time
     * @throws SessionClosedException or the session's failure type, if the session is closed
     */
    public Stream openStream() throws IOException {
        return openStream(config.streamOpenTimeout());
    }

    /**
     * As {@link #openStream()}, waiting at most {@code timeout} for an un-ACKed slot
     * ({@link Duration#ZERO}: no limit).
     */
    public Stream openStream(Duration timeout) throws IOException {
        long timeoutNanos = timeout.toNanos();
        long deadlineNanos = System.nanoTime() + timeoutNanos;
        Stream stream;
        lock.lock();
        try {
            while (true) {
                if (state == State.CLOSED) {
                    throw Failures.forCaller(failure);
                }
                if (remoteGoAway) {
                    throw new RemoteGoAwayException(GoAwayCodes.NORMAL);
                }
                if (state == State.DRAINING) {
                    throw new SessionClosedException("session is going away (goAway was called)", null);
                }
                if (unackedOutbound < config.maxUnackedOutboundStreams()) {
                    break;
                }
                awaitUntil(openable, timeoutNanos == 0 ? 0 : deadlineNanos,
                        "timed out waiting for one of " + config.maxUnackedOutboundStreams() + " un-ACKed streams to be ACKed");
            }
            if (nextStreamId >= MAX_STREAM_ID - 1) {
                throw new StreamsExhaustedException();
            }
            String refusal = memory.admitStream();
            if (refusal != null) {
                throw new LimitExceededException("stream refused: memory budget " + refusal);
            }
            int id = (int) nextStreamId;
            nextStreamId += 2;
            unackedOutbound++;
            stream = new Stream(this, id, StreamState.outbound(), newRecvWindow(), true);
            // Registered before its SYN is queued, so the ACK always finds it; the SYN queued and the
            // open timeout armed before anyone else can see the stream, so nothing resets it before
            // its SYN, and fail(), which needs this lock, finds the timer armed. Queuing and
            // scheduling only enqueue, so the lock is fine.
            streams.put(id, stream);
            stream.open(config.streamOpenTimeout());
        } finally {
            lock.unlock();
        }
        counters.streamsOpened.increment();
        return stream;
    }

    /**
     * Waits for the next inbound stream and ACKs it (with any extra window).
     *
     * @throws SessionClosedException or the session's failure type, once the session is closed;
     *     streams still queued then are never returned (they are dead)
     */
    public Stream acceptStream() throws IOException {
        return acceptStream(Duration.ZERO);
    }

    /**
     * As {@link #acceptStream()}, waiting at most {@code timeout} ({@link Duration#ZERO}: no limit).
     *
     * @throws DeadlineExceededException if no stream arrived in time
     */
    public Stream acceptStream(Duration timeout) throws IOException {
        long timeoutNanos = timeout.toNanos();
        long deadlineNanos = System.nanoTime() + timeoutNanos;
        Stream stream;
        lock.lock();
        try {
            while (true) {
                // Closed first: a stream still queued when the session failed is dead (its opening
                // frame may even have been the violation), so it is never handed out.
                if (state == State.CLOSED) {
                    throw Failures.forCaller(failure);
                }
                if ((stream = acceptQueue.pollFirst()) != null) {
                    break;
                }
                awaitUntil(acceptable, timeoutNanos == 0 ? 0 : deadlineNanos, "timed out waiting for a stream");
            }
        } finally {
            lock.unlock();
        }
        counters.streamsAccepted.increment();
        stream.onAccepted();
        return stream;
    }

    /** Waits on {@code condition} until {@code deadlineNanos} (0: none); the caller holds {@link #lock}. */
    private static void awaitUntil(Condition condition, long deadlineNanos, String timeoutMessage) throws IOException {
        try {
            if (deadlineNanos == 0) {
                condition.await();
                return;
            }
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                throw new DeadlineExceededException(timeoutMessage);
            }
            condition.awaitNanos(remaining);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    /**
     * Sends a ping and waits for the reply, at most {@link YamuxConfig#connectionWriteTimeout()}.
     *
     * @return the round-trip time
     * @throws KeepAliveTimeoutException if no reply came in time (the session stays up)
     */
    public Duration ping() throws IOException {
        throwIfClosed();
        return pings.ping();
    }

    /**
     * Sends a ping carrying {@code opaque} (hashicorp and rust peers echo it unchanged) and waits
     * up to {@code timeout} for the reply: a way to put a value in front of a peer that watches
     * with {@link YamuxConfig#peerPingListener()}, and a liveness check. Any thread.
     *
     * @throws IllegalStateException if a ping of this session with this value awaits its reply
     * @throws KeepAliveTimeoutException if no reply came in time (the session stays up)
     */
    public Duration ping(int opaque, Duration timeout) throws IOException {
        throwIfClosed();
        return pings.ping(opaque, timeout);
    }

    /** The smoothed round-trip time from pings and keepalives, {@link Duration#ZERO} before the first reply. */
    public Duration rtt() {
        return Duration.ofNanos(pings.rttNanos());
    }

    /**
     * Graceful shutdown: sends GoAway(0), refuses new inbound streams with RST, lets open streams
     * finish, and closes the session when the last one ends or after
     * {@link YamuxConfig#goAwayDrainTimeout()}. New {@link #openStream()} calls fail. Returns at
     * once; idempotent; no effect on a closed session.
     */
    public void goAway() {
        lock.lock();
        try {
            if (state != State.OPEN) {
                return;
            }
            state = State.DRAINING;
            openable.signalAll();
        } finally {
            lock.unlock();
        }
        outbound.writeControlLater(FrameType.GO_AWAY, 0, 0, GoAwayCodes.NORMAL);
        counters.goAwaySent(GoAwayCodes.NORMAL);
        // Armed after the GoAway is queued, so that even a zero drain timeout cannot close the
        // session before it.
        SessionClock.Timeout timer = clock.schedule(() -> closeAfterDrain("drain timeout"),
                config.goAwayDrainTimeout().toNanos());
        boolean ended;
        lock.lock();
        try {
            // If the session ended meanwhile, fail() found no timer to cancel: cancel it here.
            ended = state == State.CLOSED;
            if (!ended) {
                drainTimer = timer;
            }
        } finally {
            lock.unlock();
        }
        if (ended) {
            timer.cancel();
        } else if (streams.isEmpty()) {
            closeAfterDrain("no streams left");
        }
    }

    private void closeAfterDrain(String why) {
        fail(new SessionClosedException("session closed after goAway (" + why + ")", null), -1, true);
    }

    /**
     * Closes the session now with GoAway code 0 (normal); see {@link #close(int)}.
     */
    @Override
    public void close() {
        close(GoAwayCodes.NORMAL);
    }

    /**
     * Closes the session now: every stream is closed, every blocked call is released with
     * {@link SessionClosedException}, GoAway({@code goAwayCode}) is sent as the last frame, and the
     * connection is closed. Control frames already queued (such as a stream's FIN) and the GoAway
     * are still written, best effort, if the connection takes them within 100 ms; unsent data is
     * dropped. A connection write already running is given 20 ms, then the connection is closed
     * under it, so a caller blocked inside it is released well within 100 ms. No GoAway(0) is sent
     * twice: after {@link #goAway()} a close with code 0 sends none. Idempotent: only the first
     * close (or failure) of a session acts.
     *
     * @param goAwayCode the GoAway code, unsigned 32 bits: any {@code int}, sent as its 32 bits
     *     (so {@code (int) 0xFFFF_FFF0L} is sent as 4294967280); 0 is normal termination, 1 and 2
     *     mean protocol and internal error (see {@link GoAwayCodes}); a Weft or hashicorp peer
     *     reports any code but 0 as a session failure ({@link RemoteGoAwayException})
     */
    public void close(int goAwayCode) {
        fail(new SessionClosedException("session closed", null), Integer.toUnsignedLong(goAwayCode), true);
    }

    /**
     * Whether the peer sent GoAway(0): it accepts no new streams from now on
     * ({@link #openStream()} throws {@link RemoteGoAwayException}) while the streams already open go
     * on until they end. A client that wants more streams should open a new session and let this
     * one drain. Stays {@code true} once set, also after the session closed. Any thread; never blocks.
     */
    public boolean remoteGoAway() {
        return remoteGoAway;
    }

    /** Whether the session has closed or failed. */
    public boolean isClosed() {
        return failure != null;
    }

    /**
     * A future completed when the session ends, with the exception later calls get: a
     * {@link SessionClosedException} after a clean close, or the failure's type (for example
     * {@link KeepAliveTimeoutException}). It never completes exceptionally. Each call returns a
     * new dependent future, so completing it has no effect on the session.
     *
     * <p>It is completed on a thread of its own (from {@link YamuxConfig#threadFactory()}), never
     * on the session's reader or the timer thread that all sessions share, so actions registered
     * on it may block without stalling this or any other session. Actions registered after the
     * session ended run, as usual, on the registering thread.
     */
    public CompletableFuture<IOException> closeFuture() {
        return closedForUsers.copy();
    }

    /**
     * Waits until the session has ended, at most {@code timeout}.
     *
     * @return whether the session ended in time
     */
    public boolean awaitClose(Duration timeout) throws InterruptedException {
        try {
            closed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /** The first failure of the session, {@code null} while open or after a clean close. */
    public IOException closeCause() {
        IOException cause = failure;
        return cause == null || cleanClose ? null : cause;
    }

    /** Number of live streams (opened or accepted, or waiting in the accept backlog). */
    public int streamCount() {
        return streams.size();
    }

    /** A snapshot of counters and gauges (units: {@link SessionStats}); any thread, also once closed. */
    public SessionStats stats() {
        return counters.snapshot(this);
    }

    /** Inbound streams admitted and not yet accepted. */
    int acceptBacklog() {
        lock.lock();
        try {
            return acceptQueue.size();
        } finally {
            lock.unlock();
        }
    }

    /** The connection's local address, or {@code null} when it has none. */
    public SocketAddress localAddress() {
        return transport.localAddress();
    }

    /** The connection's remote address, or {@code null} when it has none. */
    public SocketAddress remoteAddress() {
        return transport.remoteAddress();
    }

    @Override
    public String toString() {
        return name;
    }

    // ---- package-private: used by Stream and SessionReader ----

    /** The exception a caller gets when the session is closed, or null while open. */
    IOException failureForCaller() {
        IOException cause = failure;
        return cause == null ? null : Failures.forCaller(cause);
    }

    void throwIfClosed() throws IOException {
        IOException cause = failure;
        if (cause != null) {
            throw Failures.forCaller(cause);
        }
    }

    /** {@link #rttNanosForTuning}, made once for every stream's receive side. */
    final java.util.function.LongSupplier tuningRttNanos = this::rttNanosForTuning;

    /** For auto-tuning: the kernel's minimum RTT where known, else our pings' (see {@link RecvWindow}). */
    private long rttNanosForTuning() {
        long path = transport.pathMinRttNanos();
        return path > 0 ? path : pings.rttNanosForTuning();
    }

    RecvWindow newRecvWindow() {
        return new RecvWindow(config.streamWindowBytes(), config.maxAutoTunedWindowBytes(), budget, System.nanoTime());
    }

    Stream stream(int id) {
        return streams.get(id);
    }

    /** The session reader (platform-thread callers may read frames through it). */
    SessionReader reader() {
        return reader;
    }

    /** The reader's input buffer. Visible for testing. */
    ReaderBuffer readerBuffer() {
        return reader.buffer();
    }

    /**
     * Registers an inbound stream for a SYN, or refuses it with RST.
     *
     * @return the new stream, or {@code null} if refused
     * @throws YamuxProtocolException for a wrong-parity or duplicate id
     */
    Stream onInboundSyn(int id) throws YamuxProtocolException {
        boolean peerIsClient = (id & 1) == 1;
        if (peerIsClient == client) {
            throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, "SYN for stream " + Integer.toUnsignedString(id)
                    + " has the wrong parity (both ends are " + (client ? "clients" : "servers") + "?)", false);
        }
        Stream stream = null;
        String refusal;
        lock.lock();
        try {
            if (streams.containsKey(id)) {
                throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR,
                        "duplicate SYN for stream " + Integer.toUnsignedString(id), false);
            }
            if (state != State.OPEN) {
                refusal = "session is going away";
            } else if (inboundLive >= config.maxInboundStreams()) {
                refusal = "maxInboundStreams (" + config.maxInboundStreams() + ") reached";
            } else if (acceptQueue.size() >= config.acceptBacklog()) {
                refusal = "accept backlog (" + config.acceptBacklog() + ") full";
            } else if ((refusal = memory.admitStream()) != null) {
                refusal = "memory budget " + refusal;
            } else {
                refusal = null;
                stream = new Stream(this, id, StreamState.inbound(), newRecvWindow(), false);
                streams.put(id, stream);
                inboundLive++;
                acceptQueue.addLast(stream);
                acceptable.signal();
            }
        } finally {
            lock.unlock();
        }
        if (stream != null) {
            counters.streamsOpenedByPeer.increment();
        } else {
            counters.streamsRefused.increment();
            outbound.writeControlLater(FrameType.WINDOW_UPDATE, Flags.RST, id, 0);
            log.warn("refused", "refused inbound stream " + Integer.toUnsignedString(id) + ": " + refusal);
        }
        return stream;
    }

    /** An outbound stream was ACKed, or ended before its ACK: its un-ACKed slot is free (its state says so once). */
    void releaseAckSlot() {
        lock.lock();
        try {
            unackedOutbound--;
            openable.signal();
        } finally {
            lock.unlock();
        }
    }

    /** An inbound stream ended (reset by the peer) before it was accepted: it is never handed out. */
    void leaveAcceptQueue(Stream stream) {
        assert !stream.lockHeldByCurrentThread() : "lock order: session lock before stream lock";
        lock.lock();
        try {
            acceptQueue.remove(stream);
        } finally {
            lock.unlock();
        }
    }

    /** Removes a finished stream; called once it is CLOSED or RESET. */
    void removeStream(Stream stream) {
        assert !stream.lockHeldByCurrentThread() : "lock order: session lock before stream lock";
        if (!streams.remove(stream.id(), stream)) {
            return;
        }
        boolean drained;
        lock.lock();
        try {
            drained = state == State.DRAINING && streams.isEmpty();
        } finally {
            lock.unlock();
        }
        if (drained) {
            closeAfterDrain("no streams left");
        }
    }

    /**
     * A finished inbound stream holds no unread data any more (read, discarded or reset), so it no
     * longer counts against {@link YamuxConfig#maxInboundStreams()}. Called once per stream, when
     * it is removed or later: the slot outlives the registration as long as unread data does,
     * which is what keeps the documented memory bound true.
     */
    void releaseInboundSlot(Stream stream) {
        assert !stream.lockHeldByCurrentThread() : "lock order: session lock before stream lock";
        memory.releaseStream(); // every stream, either direction, is charged to the memory budget
        if (stream.outbound) {
            return;
        }
        lock.lock();
        try {
            inboundLive--;
        } finally {
            lock.unlock();
        }
    }

    void onGoAway(long code) {
        counters.goAwayReceived(code);
        if (code == GoAwayCodes.NORMAL) {
            lock.lock();
            try {
                remoteGoAway = true;
                openable.signalAll();
            } finally {
                lock.unlock();
            }
        } else if (code == GoAwayCodes.PROTOCOL_ERROR) {
            fail(new YamuxProtocolException(code, "peer sent GoAway(protocol error)", true), -1);
        } else {
            fail(new RemoteGoAwayException(code), -1);
        }
    }

    /** A protocol violation by the peer: GoAway(1), then the session fails with it. */
    void onProtocolError(YamuxProtocolException e) {
        YamuxEvents.protocolError(e.reason());
        log.warn("protocol", e.getMessage());
        fail(e, GoAwayCodes.PROTOCOL_ERROR);
    }

    /**
     * Sends {@code goAwayCode} (unsigned 32 bits, when ≥ 0; -1: none) as the last frame, releases
     * everyone with {@code cause}, closes.
     */
    void fail(IOException cause, long goAwayCode) {
        fail(cause, goAwayCode, false);
    }

    /**
     * As {@link #fail(IOException, long)}; {@code clean} marks a requested close rather than a
     * failure. Only the call that actually closes the session decides whether the end was clean,
     * so the first failure stays the {@link #closeCause()} whatever is called later.
     */
    private void fail(IOException cause, long goAwayCode, boolean clean) {
        List<Stream> failed;
        SessionClock.Timeout drain;
        lock.lock();
        try {
            if (state == State.CLOSED) {
                return;
            }
            if (clean && state == State.DRAINING && goAwayCode == GoAwayCodes.NORMAL) {
                goAwayCode = -1; // goAway() already sent it
            }
            cleanClose = clean;
            failure = cause;
            state = State.CLOSED;
            drain = drainTimer;
            drainTimer = null;
            failed = new ArrayList<>(streams.values());
            failed.addAll(acceptQueue);
            streams.clear();
            acceptQueue.clear();
            acceptable.signalAll();
            openable.signalAll();
        } finally {
            lock.unlock();
        }
        byte[] goAway = null;
        if (goAwayCode >= 0) {
            goAway = FrameHeader.goAway((int) goAwayCode).toBytes();
            counters.goAwaySent(goAwayCode);
        }
        outbound.fail(cause, goAway);
        memory.close();
        // The transport's close may block (a user channel): the timer only hands it to a thread.
        clock.schedule(outbound::closeTransportLater, FORCED_CLOSE_NANOS);
        SessionClock.Timeout ticking = tick;
        if (ticking != null) {
            ticking.cancel();
        }
        if (drain != null) {
            drain.cancel();
        }
        for (Stream stream : failed) {
            stream.onSessionClosed();
        }
        pings.failAll(cause);
        if (!cleanClose && RateLimitedLog.LOGGER.isLoggable(Level.DEBUG)) {
            RateLimitedLog.LOGGER.log(Level.DEBUG, name + " failed: " + cause);
        }
        YamuxEvents.sessionClosed(this, cause.toString());
        IOException forCaller = Failures.forCaller(cause);
        closed.complete(forCaller);
        Runnable notify = () -> closedForUsers.complete(forCaller);
        Thread notifier = config.threadFactory().newThread(notify);
        (notifier != null ? notifier : Thread.ofVirtual().unstarted(notify)).start();
    }

    /** The reader reached the end of the connection or failed reading it. */
    void onTransportEnd(IOException cause) {
        if (isClosed()) {
            return;
        }
        fail(new SessionClosedException(cause == null ? "connection closed by peer"
                : "connection lost: " + cause.getMessage(), cause), -1);
    }

    /** Periodic: write-stall watchdog and idle keepalive. Runs on the shared timer; never blocks. */
    private void tick() {
        if (isClosed()) {
            return;
        }
        long now = clock.nanoTime();
        YamuxEvents.registerPeriodicEvent();
        reader.releaseIdleSpare(now);
        receiveChunks.releaseIdle(now);
        long writeProgress = outbound.writeProgressNanos();
        if (writeProgress != 0 && now - writeProgress > config.connectionWriteTimeout().toNanos()) {
            fail(new WriteTimeoutException("connection write made no progress for " + config.connectionWriteTimeout()), -1);
            return;
        }
        if (config.keepAliveEnabled() && !pings.keepAlive(now)) {
            fail(new KeepAliveTimeoutException("no reply to a keepalive ping within "
                    + config.connectionWriteTimeout()), -1);
        }
    }
}

package io.weft.netpoll.tls;

import io.weft.netpoll.Conn;
import io.weft.netpoll.ConnInputStream;
import io.weft.netpoll.ConnOutputStream;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.netpoll.NetClosedException;
import io.weft.netpoll.spi.Addresses;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A TLS connection over another {@link Conn}, with Go's {@code crypto/tls.Conn} semantics, built
 * on the JDK's {@link SSLEngine}. Created by {@link Tls#client} and {@link Tls#server}.
 *
 * <h2>Handshake</h2>
 * {@link #handshake()} runs it explicitly; otherwise the first read or write does. It is bounded
 * by the deadlines in force and by {@link TlsConfig#handshakeTimeout()} (default 10 s). A failed
 * handshake throws {@link TlsHandshakeException} naming why, and every later call throws it
 * again; a timeout or an interrupt during the handshake leaves it resumable, as on any
 * {@code Conn}. Renegotiation is not offered (TLS 1.3 has none).
 *
 * <h2>Reading and writing</h2>
 * One read and one write may run at once (TLS 1.3 key updates and session tickets are handled
 * by whichever side meets them; the reader never waits for the writer). The peer's close_notify is end of stream ({@code -1}); the
 * underlying connection ending without it is a {@link TlsTruncationException}, never a clean
 * end. A write either sends every byte or throws; a write that times out keeps the records it
 * had already sealed and sends them first on the next write, so {@code bytesTransferred} counts
 * bytes that will reach the peer in order. {@link #closeWrite()} sends close_notify (Go's
 * {@code CloseWrite}); the connection under it stays open for reading. With TLS 1.2 the JDK
 * answers the peer's close_notify by closing this side too, so half-close works fully only on
 * TLS 1.3, the default.
 *
 * <h2>Deadlines, close, interrupt</h2>
 * Deadlines are the underlying connection's and move blocked calls as there. {@link #close()}
 * sends close_notify when no write is in progress (waiting at most {@link
 * TlsConfig#closeNotifyTimeout()}, Go's 5 s), then closes the underlying connection, which wakes
 * every blocked call with a closed error.
 *
 * <h2>Buffers</h2>
 * Three heap buffers per connection, sized by the session (about 16 KiB to 33 KiB each), reused
 * for its life; reads into a buffer of at least one TLS record's plaintext are decrypted in place.
 *
 * <h2>Threads and locks</h2>
 * Any thread. {@code handshakeLock} serializes handshakes; reads hold {@code readLock}, writes
 * {@code writeLock}; {@link TlsDeadlines} has its own lock, held only around the underlying
 * connection's non-blocking deadline setters. No thread holds two of the I/O locks at once.
 */
public final class TlsConn implements Conn {

    private enum State { NEW, READY, FAILED, CLOSED }

    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

    private final Conn conn;
    private final TlsConfig config;
    private final SSLEngine engine;
    private final boolean client;
    private final ReentrantLock handshakeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final TlsDeadlines deadlines;
    private final InputStream inputStream = new ConnInputStream(this);
    private final OutputStream outputStream = new ConnOutputStream(this);

    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    /** The handshake's failure once {@link State#FAILED}. */
    private volatile IOException handshakeFailure;
    /** Guarded by handshakeLock: beginHandshake has been called. */
    private boolean handshakeBegun;

    /** Ciphertext read and not yet decrypted; read mode. Guarded by readLock (handshakeLock while handshaking). */
    private ByteBuffer netIn;
    /** Plaintext decrypted and not yet returned; read mode. Guarded like netIn. */
    private ByteBuffer appIn;
    /** The peer's close_notify has been read, or closeRead was called. Guarded like netIn. */
    private boolean inboundEnded;
    private volatile boolean readShut;
    /** Application data has been decrypted: later alerts are not about the handshake. Guarded like netIn. */
    private boolean applicationDataRead;
    /** A read failure (truncation, a bad record): every later read throws it. Guarded like netIn. */
    private IOException readFailure;

    /** Sealed records not yet sent; read mode. Guarded by writeLock (handshakeLock while handshaking). */
    private ByteBuffer netOut;
    /** close_notify has been sealed. Guarded like netOut. */
    private boolean outboundClosed;
    /** Guarded like netOut: a reusable one-element array for single-buffer writes. */
    private final ByteBuffer[] oneSrc = new ByteBuffer[1];

    TlsConn(Conn conn, TlsConfig config, SSLEngine engine, boolean client) {
        this.conn = conn;
        this.config = config;
        this.engine = engine;
        this.client = client;
        this.deadlines = new TlsDeadlines(conn);
        SSLSession session = engine.getSession();
        this.netIn = ByteBuffer.allocate(2 * session.getPacketBufferSize()).flip();
        this.appIn = ByteBuffer.allocate(session.getApplicationBufferSize()).flip();
        this.netOut = ByteBuffer.allocate(2 * session.getPacketBufferSize()).flip();
    }

    // ------------------------------------------------------------------ handshake

    /**
     * Runs the handshake if it has not completed yet; returns at once when it has. Concurrent
     * callers wait for the one running it.
     *
     * @throws TlsHandshakeException if it fails, now or earlier
     * @throws DeadlineExceededException if a deadline or the handshake timeout passes first
     */
    public void handshake() throws IOException {
        handshake("handshake");
    }

    /** The handshake on behalf of {@code op} ("read", "write", ...), which errors name. */
    private void handshake(String op) throws IOException {
        if (state.get() == State.READY) {
            return;
        }
        lockInterruptibly(handshakeLock, op);
        try {
            switch (state.get()) {
                case READY -> { return; }
                case FAILED -> throw handshakeFailure;
                case CLOSED -> throw closedException(op);
                case NEW -> { }
            }
            deadlines.startHandshake(config.handshakeTimeout());
            try {
                runHandshake();
                state.compareAndSet(State.NEW, State.READY);
            } catch (TlsHandshakeException e) {
                throw fail(e);
            } catch (SSLException e) {
                TlsHandshakeException failure = classify(e);
                sendAlertQuietly();
                throw fail(failure);
            } catch (DeadlineExceededException e) {
                throw handshakeTimeout(e);
            } finally {
                deadlines.endHandshake(state.get() != State.CLOSED);
            }
        } catch (IOException e) {
            ensureOpen(op);
            throw e;
        } finally {
            handshakeLock.unlock();
        }
    }

    /** Records the handshake's failure: every later call throws it. */
    private TlsHandshakeException fail(TlsHandshakeException failure) {
        handshakeFailure = failure;
        state.compareAndSet(State.NEW, State.FAILED);
        return failure;
    }

    private void runHandshake() throws IOException {
        if (!handshakeBegun) {
            engine.beginHandshake();
            handshakeBegun = true;
        }
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    if (wrap(NOTHING, 0, 1).getStatus() == SSLEngineResult.Status.CLOSED) {
                        flush();
                        throw TlsErrors.peerClosed(peerName());
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    // Whatever this side has to say goes before it waits for the peer.
                    flush();
                    SSLEngineResult r = unwrapIntoAppIn();
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw TlsErrors.peerClosed(peerName());
                    }
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && !fill()) {
                        throw TlsErrors.peerClosed(peerName());
                    }
                }
                case NEED_TASK -> runDelegatedTasks();
                case FINISHED, NOT_HANDSHAKING -> {
                    // What is left goes now, except a TLS 1.3 server's session tickets: the
                    // client needs them for nothing yet, so they go with the first write and
                    // a server that only reads never blocks on a peer that is not reading
                    // (over a synchronous pipe). A TLS 1.2 server's last flight is its
                    // Finished, which the client waits for.
                    if (client || !"TLSv1.3".equals(engine.getSession().getProtocol())) {
                        flush();
                    }
                    return;
                }
            }
        }
    }

    /**
     * A deadline passed during the handshake: the caller's own deadline is reported as is, the
     * handshake timeout with a message saying so. Either way the handshake may be resumed.
     */
    private DeadlineExceededException handshakeTimeout(DeadlineExceededException cause) {
        if (!deadlines.handshakeBoundPassedFirst()) {
            return cause;
        }
        DeadlineExceededException timeout = new DeadlineExceededException("tls handshake with " + peerName()
                + ": no answer within the handshake timeout (" + config.handshakeTimeout().toMillis() + " ms)");
        timeout.initCause(cause);
        return timeout;
    }

    private void sendAlertQuietly() {
        try {
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                wrap(NOTHING, 0, 1);
            }
            flush();
        } catch (IOException | RuntimeException ignored) {
            // Best effort: the peer learns why from the alert when it can be sent.
        }
    }

    // ------------------------------------------------------------------ reading

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            ensureOpen("read");
            return 0;
        }
        handshake("read");
        lockInterruptibly(readLock, "read");
        try {
            while (true) {
                ensureOpen("read");
                if (readFailure != null) {
                    throw readFailure;
                }
                if (appIn.hasRemaining()) {
                    return copy(appIn, dst);
                }
                if (inboundEnded || readShut) {
                    if (readShut && deadlines.readPassed()) {
                        // Go checks the deadline before reading: after closeRead a passed one is a timeout.
                        throw new DeadlineExceededException("read " + where() + ": i/o timeout");
                    }
                    return -1;
                }
                if (netIn.hasRemaining()) {
                    boolean inPlace = dst.remaining() >= appIn.capacity();
                    int before = dst.position();
                    SSLEngineResult r = unwrapForRead(inPlace ? dst : null);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        inboundEnded = true;
                    }
                    if (inPlace && dst.position() > before) {
                        // Further records already read go in too while they fit, without more I/O;
                        // an error there is the next read's, after these bytes.
                        try {
                            while (r.getStatus() == SSLEngineResult.Status.OK && netIn.hasRemaining()
                                    && dst.remaining() >= appIn.capacity()) {
                                r = unwrapForRead(dst);
                                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                                    inboundEnded = true;
                                }
                            }
                        } catch (IOException e) {
                            // Recorded in readFailure: the next read throws it, after these bytes.
                        }
                        return dst.position() - before;
                    }
                    if (r.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        continue;
                    }
                }
                try {
                    if (!fill()) {
                        if (readShut) {
                            return -1;
                        }
                        readFailure = new TlsTruncationException("read " + where()
                                + ": connection closed without close_notify (the data may have been cut short)");
                        throw readFailure;
                    }
                } catch (IOException e) {
                    ensureOpen("read");
                    throw e;
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        int first = offset;
        while (first < offset + length && !dsts[first].hasRemaining()) {
            first++;
        }
        if (first == offset + length) {
            ensureOpen("read");
            return 0;
        }
        int n = read(dsts[first]);
        if (n <= 0) {
            return n;
        }
        long total = n;
        readLock.lock();
        try {
            for (int i = first + 1; i < offset + length && appIn.hasRemaining(); i++) {
                total += copy(appIn, dsts[i]);
            }
        } finally {
            readLock.unlock();
        }
        return total;
    }

    /** Decrypts one record into {@code dst}, or into appIn when dst is null. Read lock held. */
    private SSLEngineResult unwrapForRead(ByteBuffer dst) throws IOException {
        SSLEngineResult r;
        try {
            r = dst == null ? unwrapIntoAppIn() : engine.unwrap(netIn, dst);
        } catch (SSLException e) {
            // Until the first application data, an alert is the peer's verdict on the handshake
            // (TLS 1.3: a refused client certificate arrives after the client's handshake ended).
            TlsHandshakeException why = applicationDataRead ? null : classify(e);
            readFailure = why == null || why.reason() == TlsHandshakeException.Reason.OTHER
                    ? new SSLException("read " + where() + ": " + e.getMessage(), e) : why;
            throw readFailure;
        }
        if (r.bytesProduced() > 0) {
            applicationDataRead = true;
        }
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            // The session's records outgrew appIn (a dst is used only when it is at least as
            // large): grow it, so the next round decrypts into it.
            appIn = grow(appIn, Math.max(appIn.capacity() + 1, engine.getSession().getApplicationBufferSize()));
        }
        answerPostHandshake(r.getHandshakeStatus());
        return r;
    }

    /**
     * TLS 1.3 post-handshake messages. A session ticket may need delegated tasks, run here. A
     * key update asking for ours leaves the engine wanting to wrap: the reader does not answer
     * it, since that would mean waiting for the write side, and two peers both writing into full
     * buffers would then wait on each other for ever (both readers stuck behind their writers).
     * The engine seals the answer ahead of the next record this side writes, which is when TLS
     * 1.3 requires it (RFC 8446 §4.6.3).
     */
    private void answerPostHandshake(HandshakeStatus status) {
        if (status == HandshakeStatus.NEED_TASK) {
            runDelegatedTasks();
        }
    }

    /** Decrypts from netIn into appIn (kept in read mode). */
    private SSLEngineResult unwrapIntoAppIn() throws SSLException {
        appIn.compact();
        try {
            return engine.unwrap(netIn, appIn);
        } finally {
            appIn.flip();
        }
    }

    /**
     * Reads more ciphertext into netIn, growing it when a record does not fit.
     *
     * @return false at end of stream
     */
    private boolean fill() throws IOException {
        int needed = 2 * engine.getSession().getPacketBufferSize();
        if (netIn.capacity() < needed) {
            netIn = grow(netIn, needed);
        }
        netIn.compact();
        try {
            return conn.read(netIn) >= 0;
        } finally {
            netIn.flip();
        }
    }

    // ------------------------------------------------------------------ writing

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!src.hasRemaining()) {
            ensureOpen("write");
            return 0;
        }
        handshake("write");
        lockInterruptibly(writeLock, "write");
        try {
            oneSrc[0] = src;
            return (int) writeLocked(oneSrc, 0, 1);
        } finally {
            oneSrc[0] = null;
            writeLock.unlock();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        if (remaining(srcs, offset, length) == 0) {
            ensureOpen("write");
            return 0;
        }
        handshake("write");
        lockInterruptibly(writeLock, "write");
        try {
            return writeLocked(srcs, offset, length);
        } finally {
            writeLock.unlock();
        }
    }

    private long writeLocked(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ensureOpen("write");
        if (outboundClosed) {
            throw new NetClosedException("write", where(), "write side closed by closeWrite");
        }
        Instant deadline = deadlines.write();
        if (deadline != null && !Instant.now().isBefore(deadline)) {
            // Fail before sealing anything: a past deadline has no side effect.
            throw new DeadlineExceededException("write " + where() + ": i/o timeout");
        }
        long total = remaining(srcs, offset, length);
        long left = total;
        try {
            flush();
            while (left > 0) {
                // Seal as many records as fit, then send them with one write.
                int packet = engine.getSession().getPacketBufferSize();
                writableNetOut(2 * packet);
                try {
                    while (left > 0 && netOut.remaining() >= packet) {
                        SSLEngineResult r = engine.wrap(srcs, offset, length, netOut);
                        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                            throw new NetClosedException("write", where(), "connection closed");
                        }
                        left -= r.bytesConsumed();
                        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                            break;
                        }
                    }
                } finally {
                    netOut.flip();
                }
                flush();
            }
            return total;
        } catch (InterruptedIOException e) {
            e.bytesTransferred = (int) Math.min(Integer.MAX_VALUE, total - left);
            ensureOpen("write");
            throw e;
        } catch (IOException e) {
            ensureOpen("write");
            throw e;
        }
    }

    private static long remaining(ByteBuffer[] buffers, int offset, int length) {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += buffers[i].remaining();
        }
        return total;
    }

    /** Seals with the write side's buffers; writeLock or handshakeLock held. */
    private SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length) throws SSLException {
        writableNetOut(engine.getSession().getPacketBufferSize());
        try {
            return engine.wrap(srcs, offset, length, netOut);
        } finally {
            netOut.flip();
        }
    }

    /** Puts netOut in write mode with at least {@code room} bytes free after what it holds. */
    private void writableNetOut(int room) {
        if (netOut.capacity() - netOut.remaining() < room) {
            netOut = grow(netOut, netOut.remaining() + room);
        }
        netOut.compact();
    }

    /** Sends every sealed byte; on a timeout or interrupt the rest stays for the next call. */
    private void flush() throws IOException {
        while (netOut.hasRemaining()) {
            conn.write(netOut);
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Sends close_notify: the peer reads end of stream after every byte written before. Runs the
     * handshake first if it has not run. Reading goes on. Idempotent.
     */
    @Override
    public void closeWrite() throws IOException {
        handshake("close");
        lockInterruptibly(writeLock, "close");
        try {
            ensureOpen("close");
            sendCloseNotify();
        } finally {
            writeLock.unlock();
        }
    }

    private void sendCloseNotify() throws IOException {
        if (!outboundClosed) {
            engine.closeOutbound();
            outboundClosed = true;
        }
        while (!engine.isOutboundDone()) {
            if (wrap(NOTHING, 0, 1).bytesProduced() == 0) {
                break;
            }
        }
        flush();
    }

    /** Ends reading on this side: blocked and later reads return end of stream. Idempotent. */
    @Override
    public void closeRead() throws IOException {
        ensureOpen("close");
        readShut = true;
        conn.closeRead();
    }

    /**
     * Closes the connection: sends close_notify if the handshake completed and no write is in
     * progress (bounded by {@link TlsConfig#closeNotifyTimeout()}), then closes the underlying
     * connection, which wakes every blocked call with a closed error. Idempotent.
     */
    @Override
    public void close() throws IOException {
        State before = state.getAndSet(State.CLOSED);
        if (before == State.CLOSED) {
            return;
        }
        if (before == State.READY && !config.closeNotifyTimeout().isZero() && writeLock.tryLock()) {
            try {
                deadlines.boundForClose(config.closeNotifyTimeout());
                sendCloseNotify();
            } catch (IOException | RuntimeException ignored) {
                // Closing anyway; the peer sees the connection end without close_notify.
            } finally {
                writeLock.unlock();
            }
        }
        conn.close();
    }

    @Override
    public boolean isOpen() {
        return state.get() != State.CLOSED;
    }

    // ------------------------------------------------------------------ deadlines and addresses

    @Override
    public void setReadDeadline(Instant deadline) throws IOException {
        ensureOpen("set");
        deadlines.setRead(deadline);
    }

    @Override
    public void setWriteDeadline(Instant deadline) throws IOException {
        ensureOpen("set");
        deadlines.setWrite(deadline);
    }

    @Override
    public SocketAddress localAddress() {
        return conn.localAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return conn.remoteAddress();
    }

    @Override
    public InputStream inputStream() {
        return inputStream;
    }

    @Override
    public OutputStream outputStream() {
        return outputStream;
    }

    // ------------------------------------------------------------------ after the handshake

    /** The negotiated session. @throws IllegalStateException before the handshake completed */
    public SSLSession session() {
        State s = state.get();
        if (s != State.READY && !(s == State.CLOSED && engine.getSession().isValid())) {
            throw new IllegalStateException("tls handshake has not completed");
        }
        return engine.getSession();
    }

    /** The protocol version negotiated, e.g. {@code "TLSv1.3"}. */
    public String protocol() {
        return session().getProtocol();
    }

    /** The cipher suite negotiated, e.g. {@code "TLS_AES_128_GCM_SHA256"}. */
    public String cipherSuite() {
        return session().getCipherSuite();
    }

    /** The ALPN protocol agreed on, or {@code ""} when none was. */
    public String applicationProtocol() {
        session();
        String p = engine.getApplicationProtocol();
        return p == null ? "" : p;
    }

    /** The peer's certificate chain, leaf first; empty when the peer sent none (a client without one). */
    public List<X509Certificate> peerCertificates() {
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : session().getPeerCertificates()) {
                chain.add((X509Certificate) c);
            }
            return List.copyOf(chain);
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /** The connection TLS runs over. */
    public Conn underlying() {
        return conn;
    }

    @Override
    public String toString() {
        return "TlsConn[" + (client ? "client " : "server ") + where() + ", " + state.get() + "]";
    }

    // ------------------------------------------------------------------ helpers

    /** The handshake failure {@code e} stands for, with its reason. */
    private TlsHandshakeException classify(SSLException e) {
        return TlsErrors.handshakeFailure(peerName(), client ? engine.getPeerHost() : null, sentNoCertificate(), e);
    }

    /** A client that presented no certificate (a server refusing it may say only "bad_certificate"). */
    private boolean sentNoCertificate() {
        if (!client) {
            return false;
        }
        SSLSession session = engine.getHandshakeSession();
        if (session == null) {
            session = engine.getSession();
        }
        return session.getLocalCertificates() == null;
    }

    private void runDelegatedTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private void ensureOpen(String op) throws IOException {
        if (state.get() == State.CLOSED) {
            throw closedException(op);
        }
    }

    private NetClosedException closedException(String op) {
        return new NetClosedException(op, where());
    }

    /** Go-style: {@code "tls 127.0.0.1:5000->127.0.0.1:41234"}. */
    private String where() {
        return Addresses.describe("tls", conn.localAddress(), conn.remoteAddress());
    }

    private String peerName() {
        SocketAddress remote = conn.remoteAddress();
        String name = remote == null ? "the peer" : Addresses.format(remote);
        return client ? name : "client " + name;
    }

    private void lockInterruptibly(ReentrantLock lock, String op) throws IOException {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(op + " " + where() + ": interrupted");
        }
    }

    private static int copy(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        if (from.remaining() <= to.remaining()) {
            to.put(from);
        } else {
            to.put(to.position(), from, from.position(), n);
            to.position(to.position() + n);
            from.position(from.position() + n);
        }
        return n;
    }

    /** A larger buffer (read mode) holding {@code buffer}'s unread bytes. */
    private static ByteBuffer grow(ByteBuffer buffer, int capacity) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, buffer.remaining()));
        bigger.put(buffer);
        return bigger.flip();
    }
}

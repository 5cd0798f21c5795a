package io.weft.yamux;

import io.weft.netpoll.Conn;
import io.weft.netpoll.TcpConn;
import io.weft.netpoll.tls.TlsConn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.NetworkChannel;

/**
 * The connection under a session: a {@link Conn}, any {@link ByteChannel}, or an
 * {@link InputStream}/{@link OutputStream} pair. Only the session reader calls {@link #read},
 * only the one current flusher of {@link Outbound} calls {@link #write}; {@link #close} may be
 * called from the session's own threads and application threads, never from the timer shared by
 * all sessions: a user channel's close may block, so the timer hands it to a thread of its own
 * ({@link Outbound#closeTransportLater()}). Write stalls are
 * detected by the session's timer (see {@link Outbound}), which then closes the transport, so no
 * implementation needs deadlines.
 *
 * <p>Not every transport can be woken by {@link #close}: closing a {@code FileOutputStream} does
 * not release a thread blocked writing to a full pipe. {@link #callersMayWrite} says whether an
 * application thread may be the one inside {@link #write}; where it may not, only the session's
 * writer thread writes, and application writers wait on a condition the session can always
 * release.
 */
abstract class Transport {
    private static final System.Logger LOG = System.getLogger(Transport.class.getName());

    /** Reads at least one byte into {@code dst}, or returns -1 at end of stream. */
    abstract int read(ByteBuffer dst) throws IOException;

    /** Writes every remaining byte of {@code srcs[offset..offset+count)}, in order. */
    abstract void write(ByteBuffer[] srcs, int offset, int count) throws IOException;

    /**
     * Whether application threads may write to this transport themselves. Only when both hold:
     * {@link #close} wakes a thread blocked in {@link #write} (else a session close or failure
     * could not release it), and an interrupt does not close the connection (JDK interruptible
     * channels do, and applications interrupt their own threads). Otherwise only the session's
     * writer thread writes. False unless an implementation knows better.
     */
    boolean callersMayWrite() {
        return false;
    }

    /**
     * Whether a stream's reader may read this transport itself while it waits
     * ({@link SessionReader#lead}, {@link SessionReader#mayLead}): only when {@link #setReadDeadline} wakes a blocked read
     * promptly and leaves the connection usable, and a read cut short loses nothing. False unless
     * an implementation knows better.
     */
    boolean leadable() {
        return false;
    }

    /** Sets the read deadline (Go semantics, applies to a blocked read; null clears it); only where {@link #leadable()}. */
    void setReadDeadline(java.time.Instant deadline) throws IOException {
        throw new UnsupportedOperationException("no read deadlines on " + this);
    }

    /**
     * The path's minimum round-trip time as the kernel measured it ({@link TcpConn#minRtt}), in
     * nanoseconds, or 0 where it is not known (not TCP, the nio backend, an error). Any thread.
     */
    long pathMinRttNanos() {
        return 0;
    }

    /** Closes the connection; idempotent; never throws; may block only as long as the underlying close does. */
    abstract void close();

    /** Local address or {@code null}. */
    abstract SocketAddress localAddress();

    /** Remote address or {@code null}. */
    abstract SocketAddress remoteAddress();

    /**
     * Over a netpoll {@code conn}; on a {@link TcpConn}, bare or under a {@link TlsConn}, also
     * sets the configured {@link YamuxConfig#notSentLowWaterBytes()} (a failure to set it is left
     * to the session's first read or write to report).
     */
    static Transport of(Conn conn, YamuxConfig config) {
        int lowWaterBytes = config.notSentLowWaterBytes();
        Conn socket = conn instanceof TlsConn tls ? tls.underlying() : conn;
        if (lowWaterBytes > 0 && socket instanceof TcpConn tcp) {
            try {
                boolean applied = tcp.setNotSentLowWaterBytes(lowWaterBytes);
                LOG.log(System.Logger.Level.DEBUG, () -> (applied ? "set" : "cannot set") + " TCP_NOTSENT_LOWAT "
                        + lowWaterBytes + " on " + conn.remoteAddress());
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "could not set TCP_NOTSENT_LOWAT", e);
            }
        }
        return new ConnTransport(conn, socket instanceof TcpConn tcp ? tcp : null);
    }

    static Transport of(ByteChannel channel, YamuxConfig config) {
        if (channel instanceof Conn conn) {
            return of(conn, config);
        }
        if (channel instanceof SelectableChannel selectable && !selectable.isBlocking()) {
            // a read or write returning 0 would make the reader and writer threads spin
            throw new IllegalArgumentException("the channel must be in blocking mode: " + channel);
        }
        return new ChannelTransport(channel);
    }

    static Transport of(InputStream in, OutputStream out) {
        return new StreamPairTransport(in, out);
    }

    /** Over a netpoll {@link Conn}: gathering writes, Go semantics. */
    private static final class ConnTransport extends Transport {
        private final Conn conn;
        /** The TCP connection under {@link #conn} (itself, or under TLS), or {@code null}. */
        private final TcpConn tcp;

        ConnTransport(Conn conn, TcpConn tcp) {
            this.conn = conn;
            this.tcp = tcp;
        }

        @Override
        long pathMinRttNanos() {
            if (tcp == null) {
                return 0;
            }
            try {
                return tcp.minRtt().toNanos();
            } catch (IOException | RuntimeException e) {
                return 0; // closed or unreadable: the ping RTT serves; the session reports the failure itself
            }
        }

        /** Conn.close wakes blocked writers (its contract), and an interrupt does not close a Conn. */
        @Override
        boolean callersMayWrite() {
            return true;
        }

        /**
         * Netpoll conns wake a read at a deadline and stay usable. A {@link TlsConn} given directly
         * is left out, conservatively (it keeps a part-read record across a deadline, so a leader
         * would be safe there too, but that is not measured); one wrapped in another Conn is not
         * recognised and is led like any other.
         */
        @Override
        boolean leadable() {
            return !(conn instanceof TlsConn);
        }

        @Override
        void setReadDeadline(java.time.Instant deadline) throws IOException {
            conn.setReadDeadline(deadline);
        }

        @Override
        int read(ByteBuffer dst) throws IOException {
            return conn.read(dst);
        }

        @Override
        void write(ByteBuffer[] srcs, int offset, int count) throws IOException {
            conn.write(srcs, offset, count);
        }

        @Override
        void close() {
            try {
                conn.close();
            } catch (IOException | RuntimeException ignored) {
                // closing is best effort; the session already recorded why it ends
            }
        }

        @Override
        SocketAddress localAddress() {
            return conn.localAddress();
        }

        @Override
        SocketAddress remoteAddress() {
            return conn.remoteAddress();
        }
    }

    /**
     * Over a JDK channel in blocking mode, such as a {@code SocketChannel}. Only the writer thread
     * writes: an interruptible channel closes when a writing thread is interrupted, and closing
     * any other channel need not wake a blocked write.
     */
    private static final class ChannelTransport extends Transport {
        private final ByteChannel channel;

        ChannelTransport(ByteChannel channel) {
            this.channel = channel;
        }

        @Override
        int read(ByteBuffer dst) throws IOException {
            int n;
            do {
                n = channel.read(dst);
            } while (n == 0 && dst.hasRemaining());
            return n;
        }

        @Override
        void write(ByteBuffer[] srcs, int offset, int count) throws IOException {
            int end = offset + count;
            if (channel instanceof GatheringByteChannel gathering) {
                int first = offset;
                while (first < end) {
                    gathering.write(srcs, first, end - first);
                    while (first < end && !srcs[first].hasRemaining()) {
                        first++;
                    }
                }
            } else {
                for (int i = offset; i < end; i++) {
                    while (srcs[i].hasRemaining()) {
                        channel.write(srcs[i]);
                    }
                }
            }
        }

        @Override
        void close() {
            try {
                channel.close();
            } catch (IOException | RuntimeException ignored) {
                // best effort
            }
        }

        @Override
        SocketAddress localAddress() {
            try {
                return channel instanceof NetworkChannel network ? network.getLocalAddress() : null;
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        SocketAddress remoteAddress() {
            try {
                return channel instanceof java.nio.channels.SocketChannel socket ? socket.getRemoteAddress() : null;
            } catch (IOException e) {
                return null;
            }
        }
    }

    /**
     * Over a stream pair such as stdin/stdout; writes are flushed per batch. Closing a stream
     * wakes neither a blocked read nor a blocked write (a {@code FileOutputStream} on a full pipe
     * stays in write(2)), so only the writer thread writes here.
     *
     * <p>A batch is gathered into one array before it is written, so that a {@code
     * FileOutputStream} makes one write(2) per batch instead of one per buffer (a 12-byte header
     * apiece): {@link #GATHER_BYTES} hold a whole {@link Outbound} batch. A buffer that large on
     * its own is written from its array without a copy. The array is allocated on the first
     * batch that needs it and kept while the session lives (one per stream-pair session).
     */
    private static final class StreamPairTransport extends Transport {
        /** The gathering array's size: the most bytes one {@link Outbound} transport call carries. */
        static final int GATHER_BYTES = (int) Outbound.MAX_WRITE_CALL_BYTES;

        private final InputStream in;
        private final OutputStream out;
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        /** Writer thread only (one batch at a time); {@code null} until the first gather. */
        private byte[] gather;

        StreamPairTransport(InputStream in, OutputStream out) {
            this.in = in;
            this.out = out;
        }

        @Override
        int read(ByteBuffer dst) throws IOException {
            int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }

        @Override
        void write(ByteBuffer[] srcs, int offset, int count) throws IOException {
            int pending = 0; // bytes gathered and not yet written
            for (int i = offset; i < offset + count; i++) {
                ByteBuffer src = srcs[i];
                if (pending == 0 && src.hasArray() && src.remaining() >= GATHER_BYTES) {
                    out.write(src.array(), src.arrayOffset() + src.position(), src.remaining());
                    src.position(src.limit());
                    continue;
                }
                while (src.hasRemaining()) {
                    if (gather == null) {
                        gather = new byte[GATHER_BYTES];
                    }
                    int n = Math.min(GATHER_BYTES - pending, src.remaining());
                    src.get(gather, pending, n);
                    pending += n;
                    if (pending == GATHER_BYTES) {
                        out.write(gather, 0, pending);
                        pending = 0;
                    }
                }
            }
            if (pending > 0) {
                out.write(gather, 0, pending);
            }
            out.flush();
        }

        /**
         * Closes both streams on a thread of its own: a stream's close may wait for a lock its
         * blocked write or read holds ({@code BufferedOutputStream}, {@code PrintStream} such as
         * {@code System.out}), and the caller may be the timer thread every session shares.
         */
        @Override
        void close() {
            if (closed.compareAndSet(false, true)) {
                Thread.ofVirtual().name("yamux-stream-pair-close").start(this::closeStreams);
            }
        }

        private void closeStreams() {
            try {
                in.close();
            } catch (IOException | RuntimeException ignored) {
                // best effort
            }
            try {
                out.close();
            } catch (IOException | RuntimeException ignored) {
                // best effort
            }
        }

        @Override
        SocketAddress localAddress() {
            return null;
        }

        @Override
        SocketAddress remoteAddress() {
            return null;
        }
    }
}

package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.TcpConn;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The two halves of a tunnel, shared by {@code weft stdio} and {@code weft tunnel}:
 *
 * <ul>
 *   <li>entry: each connection accepted on a local listener opens a new stream and is joined to it;
 *   <li>exit: each stream the peer opens dials the target and is joined to that connection; a
 *       target that cannot be reached resets only that stream.
 * </ul>
 *
 * <p>Threads: the loops run on the calling thread; each joined pair runs on two virtual threads
 * (see {@link Splice}).
 */
final class Forwarding {

    private static final System.Logger LOG = System.getLogger("io.weft.cli.forward");

    /** How long a connection accepted at the entry waits for a session (the tunnel reconnecting). */
    static final Duration SESSION_WAIT = Duration.ofSeconds(10);

    private Forwarding() {}

    /** Exit side: serves the session's inbound streams until the session ends. */
    static void serveStreams(Session session, Address target) {
        while (true) {
            Stream stream;
            try {
                stream = session.acceptStream();
            } catch (IOException e) {
                return; // session ended; its owner reports why
            }
            Thread.ofVirtual().name("exit stream " + stream.id()).start(() -> exit(stream, target));
        }
    }

    private static void exit(Stream stream, Address target) {
        Conn conn;
        try {
            conn = Endpoints.dial(target);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "stream " + stream.id() + ": cannot reach " + target + ": "
                    + Failures.describe(e) + "; stream reset");
            resetQuietly(stream);
            return;
        }
        join(stream, conn, target.toString());
    }

    /**
     * Entry side: accepts local connections until the listener is closed; each opens a stream on
     * the session {@code sessions} supplies (waiting for one up to {@link #SESSION_WAIT}). A
     * temporary accept error (out of file descriptors, ...) is logged, rate-limited, and retried
     * with back-off ({@link AcceptBackoff}).
     */
    static void acceptConnections(Listener listener, SessionSource sessions) throws IOException {
        acceptConnections(listener, sessions, new AcceptBackoff(LOG));
    }

    /** {@link #acceptConnections(Listener, SessionSource)} with the given back-off; for tests. */
    static void acceptConnections(Listener listener, SessionSource sessions, AcceptBackoff backoff) throws IOException {
        while (true) {
            Conn conn = backoff.accept(listener);
            Thread.ofVirtual().name("entry conn").start(() -> entry(conn, sessions));
        }
    }

    /** Where the entry side gets a session for a new stream. */
    @FunctionalInterface
    interface SessionSource {
        /** A live session, or {@code null} when none came up in time. */
        Session get() throws InterruptedException;

        /** A fixed session. */
        static SessionSource of(Session session) {
            return () -> session;
        }

        /** Round-robin over a set, waiting up to {@link #SESSION_WAIT}. */
        static SessionSource of(SessionSet set) {
            return () -> set.pick(SESSION_WAIT);
        }
    }

    private static void entry(Conn conn, SessionSource sessions) {
        Stream stream;
        try {
            Session session = sessions.get();
            if (session == null) {
                throw new IOException("no yamux session available");
            }
            stream = session.openStream();
        } catch (IOException | InterruptedException e) {
            LOG.log(System.Logger.Level.WARNING, "connection from " + Address.text(conn.remoteAddress()) + " dropped: "
                    + Failures.describe(e));
            // Reset, not close: a clean EOF would tell the client its (empty) exchange succeeded.
            abortQuietly(conn);
            return;
        }
        join(stream, conn, Address.text(conn.remoteAddress()));
    }

    /** Joins a stream and a connection; logs the outcome at debug level. */
    static void join(Stream stream, Conn conn, String peer) {
        Supplier<String> what = () -> "stream " + stream.id() + " <-> " + peer;
        LOG.log(System.Logger.Level.DEBUG, () -> what.get() + ": open");
        Splice splice = new Splice(new Splice.Side("stream", stream, stream::reset),
                new Splice.Side(peer, conn, () -> abort(conn)));
        try {
            Splice.Result r = splice.run();
            LOG.log(System.Logger.Level.DEBUG, () -> what.get() + ": closed, " + r.bytesAtoB() + " bytes out, "
                    + r.bytesBtoA() + " bytes in" + (r.failure() != null ? ", aborted: " + Failures.describe(r.failure()) : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void resetQuietly(Stream stream) {
        try {
            stream.reset();
        } catch (RuntimeException ignored) {
            // The session is gone; the stream with it.
        }
    }

    /**
     * Tears a socket down so its peer sees a reset, not end of stream: this is how a reset stream
     * (or a refused target) is passed on. TCP: linger 0, then close sends RST. Unix sockets have no
     * reset; there the peer sees a plain close.
     */
    static void abort(Conn conn) throws IOException {
        if (conn instanceof TcpConn tcp) {
            try {
                tcp.setLinger(0);
            } catch (IOException e) {
                // Already closed (the peer's reset got there first): nothing left to reset.
            }
        }
        conn.close();
    }

    static void abortQuietly(Conn conn) {
        try {
            abort(conn);
        } catch (IOException | RuntimeException ignored) {
            // Nothing more to do with it.
        }
    }
}

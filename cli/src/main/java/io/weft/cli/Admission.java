package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.tls.TlsHandshakeException;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The server side of {@code tunnel --listen} and {@code echo}: accepts connections and turns
 * each into a yamux server session. The accept loop (on the calling thread) only accepts: each
 * connection's {@link Handshake} (TLS, token) runs on its own virtual thread, bounded by the
 * handshake timeout, so a slow or hostile peer delays nobody else. A connection that fails its
 * handshake is closed with one log line ({@link PeerWarnings}, so a flood is rate-limited); at
 * most {@link #MAX_PENDING} handshakes run at once, connections beyond that are closed at once.
 * A temporary accept error (EMFILE, ...) is logged, rate-limited, and retried with back-off
 * ({@link AcceptBackoff}): the server keeps running and serves again once descriptors are free.
 */
final class Admission {

    /** Handshakes in progress at once; more connections are closed unanswered. */
    static final int MAX_PENDING = 256;

    private final Handshake handshake;
    private final YamuxConfig config;
    private final SessionSet sessions;
    private final PeerWarnings warnings;
    private final AcceptBackoff backoff;
    private final Semaphore pending = new Semaphore(MAX_PENDING);

    Admission(Handshake handshake, YamuxConfig config, SessionSet sessions, System.Logger log) {
        this.handshake = handshake;
        this.config = config;
        this.sessions = sessions;
        this.warnings = new PeerWarnings(log);
        this.backoff = new AcceptBackoff(log, sessions.counters.yamuxAcceptErrors);
    }

    /** Handshakes running now (each on its own virtual thread, which ends with it). */
    int inProgress() {
        return MAX_PENDING - pending.availablePermits();
    }

    /**
     * Accepts until the listener is closed while draining (then returns) or fails (then throws);
     * runs {@code serve} on each new session's own virtual thread. A temporary accept error (out
     * of file descriptors, ...) is logged and retried with {@link AcceptBackoff}, not fatal.
     */
    void acceptLoop(Listener listener, Consumer<Session> serve) throws IOException {
        while (true) {
            Conn conn;
            try {
                conn = backoff.accept(listener);
            } catch (IOException e) {
                if (sessions.isDraining()) {
                    return;
                }
                throw e;
            }
            if (!pending.tryAcquire()) {
                sessions.counters.refusedConnections.increment();
                warnings.warn("refused " + peer(conn.remoteAddress()) + ": " + MAX_PENDING
                        + " handshakes already in progress");
                closeQuietly(conn);
                continue;
            }
            Thread.ofVirtual().name("handshake").start(() -> admit(conn, serve));
        }
    }

    private void admit(Conn conn, Consumer<Session> serve) {
        SocketAddress remote = conn.remoteAddress();
        Conn secured;
        try {
            secured = handshake.run(conn, false);
        } catch (IOException | RuntimeException e) {
            sessions.counters.handshakeFailed(e);
            warnings.warn("refused " + peer(remote) + ": " + why(e));
            return;
        } finally {
            pending.release();
        }
        if (sessions.isDraining()) {
            closeQuietly(secured);
            return;
        }
        Session session = Session.server(secured, config);
        sessions.add(session);
        serve.accept(session);
    }

    /** Why a handshake failed, for the server's log: the step, then what the library said. */
    static String why(Throwable e) {
        if (e instanceof AuthenticationFailedException || e instanceof SocketTimeoutException) {
            return e.getMessage();
        }
        if (e instanceof TlsHandshakeException tls) {
            // "tls handshake with client 1.2.3.4:5: why": the address is already on the line.
            String message = String.valueOf(tls.getMessage());
            int colon = message.startsWith("tls handshake with ") ? message.indexOf(": ") : -1;
            String why = "tls handshake: " + (colon >= 0 ? message.substring(colon + 2) : message);
            return tls.reason() == TlsHandshakeException.Reason.NOT_TLS
                    ? why + " (a client without TLS? it needs --tls-pin or --tls-ca)"
                    : why;
        }
        return "handshake failed: " + Failures.describe(e);
    }

    private static String peer(SocketAddress address) {
        return Address.text(address);
    }

    private static void closeQuietly(Conn conn) {
        try {
            conn.close();
        } catch (IOException | RuntimeException ignored) {
            // Refused: nothing more to say to it.
        }
    }
}

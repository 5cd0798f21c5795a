package io.weft.cli;

import io.weft.yamux.KeepAliveTimeoutException;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import io.weft.yamux.YamuxProtocolException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a tunnel checks about its peer at the start of every yamux session, with no bytes beyond
 * yamux's own frames (a hashicorp/yamux or yamux-cli peer sees one ping and answers it):
 *
 * <ul>
 *   <li>that it speaks yamux: the {@code --connect} side pings right after connecting and the
 *       reply must come within the handshake timeout; a peer that sends something else, or
 *       nothing, fails with {@link NotYamuxException} naming what it sent;</li>
 *   <li>that it plays the other part ({@link TunnelRole}): that ping carries this end's
 *       {@linkplain TunnelRole#announcement() announcement} in its opaque value. A Weft server
 *       that sees one (through {@link YamuxConfig#peerPingListener()}) answers with a ping
 *       carrying its own, so each end learns the other's part within a round trip. When they do
 *       not fit, the client ends with {@link RoleMismatchException} (exit 2) and the server logs
 *       a warning (rate-limited, {@link PeerWarnings}) and closes that session; it answers one
 *       announcement per session. A peer that announces nothing (any non-Weft yamux
 *       peer) is not judged.</li>
 * </ul>
 *
 * <p>Threads: {@link #verify} on the connecting thread; the listener on each session's reader
 * thread, which it never blocks (its pings and closes run on virtual threads).
 */
final class PeerCheck {

    private final TunnelRole role;
    private final Duration timeout;
    /** Client sessions whose server announced a part that does not fit; removed when reported. */
    private final Map<Session, RoleMismatchException> mismatches = new ConcurrentHashMap<>();
    /**
     * Server sessions whose client's announcement has been answered, until they end: a client
     * that repeats it gets no more threads, pings or warnings (one ping frame each, otherwise).
     */
    private final Set<Session> answered = ConcurrentHashMap.newKeySet();
    /** A server's warnings about clients, rate-limited: any client that connects can trigger one. */
    private final PeerWarnings warnings;

    /**
     * @param role this end's part
     * @param timeout how long the first ping's reply may take (the handshake timeout)
     * @param log where a server reports a client that does not fit
     */
    PeerCheck(TunnelRole role, Duration timeout, System.Logger log) {
        this.role = role;
        this.timeout = timeout;
        this.warnings = new PeerWarnings(log);
    }

    /** {@code config} with this check's ping listener. */
    YamuxConfig install(YamuxConfig config) {
        return config.toBuilder().peerPingListener(this::onPeerPing).build();
    }

    /**
     * The client's check, right after connecting to {@code peer}: pings with this end's
     * announcement and waits for the reply. On failure the session is closed.
     *
     * @throws NotYamuxException when the peer sent no yamux frame or no reply within the timeout
     * @throws RoleMismatchException when the peer has announced a part that does not fit
     */
    void verify(Session session, Address peer) throws IOException {
        try {
            session.ping(role.announcement(), timeout);
        } catch (KeepAliveTimeoutException e) {
            session.close();
            throw new NotYamuxException("peer at " + peer + " does not speak yamux (no reply to a ping within "
                    + GoDuration.format(timeout) + ")", e);
        } catch (IOException e) {
            session.close();
            byte[] sent = firstBytes(session.closeCause() != null ? session.closeCause() : e);
            if (sent.length > 0) {
                throw new NotYamuxException("peer at " + peer + " does not speak yamux (it sent \""
                        + YamuxProtocolException.printable(sent) + "\")", e);
            }
            throw e;
        }
        RoleMismatchException mismatch = mismatch(session);
        if (mismatch != null) {
            throw mismatch;
        }
    }

    /** The part mismatch found on {@code session}, or {@code null}; each is returned once. */
    RoleMismatchException mismatch(Session session) {
        return mismatches.remove(session);
    }

    private void onPeerPing(Session session, int opaque) {
        Set<TunnelRole.Part> peer = TunnelRole.announced(opaque);
        if (peer == null) {
            return;
        }
        String conflict = role.conflictWith(peer);
        String where = "peer at " + Address.text(session.remoteAddress());
        if (session.isClient()) {
            if (conflict != null
                    && mismatches.putIfAbsent(session, new RoleMismatchException(where + " " + conflict)) == null) {
                Thread.ofVirtual().name("peer check").start(session::close);
            }
            return;
        }
        if (!answered.add(session)) {
            return;
        }
        session.closeFuture().whenComplete((cause, failure) -> answered.remove(session));
        // A Weft client announced itself: tell it this end's part, then close if they do not fit
        // (after the reply, so the client has read the announcement before the session ends).
        Thread.ofVirtual().name("peer check").start(() -> {
            try {
                session.ping(role.announcement(), timeout);
            } catch (IOException | RuntimeException e) {
                // The session ended or the client is slow: nothing to report beyond its own end.
            }
            if (conflict != null) {
                warnings.warn(where + " " + conflict + "; closing the connection");
                session.close();
            }
        });
    }

    private static byte[] firstBytes(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof YamuxProtocolException p && p.firstBytes().length > 0) {
                return p.firstBytes();
            }
        }
        return new byte[0];
    }
}

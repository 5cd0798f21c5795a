package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The entry side of dynamic streams: {@code --forward} listeners (each connection asks the exit
 * for the forward's fixed destination) and a {@code --socks} listener (each connection's SOCKS5
 * request names it). Every stream starts with a {@link Preamble} request; the connection is
 * joined to the stream once the exit answers OK.
 *
 * <p>Threads: one virtual thread per listener accepts; one per connection does the handshakes,
 * then {@link Forwarding#join} runs the copy. {@link #close} may be called from any thread.
 */
final class DynamicEntry implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.weft.cli.forward");

    /**
     * How long the entry waits for the exit's reply: its DNS lookup and {@link DynamicExit#DIAL_BUDGET}.
     * A peer started with {@code --to} sends no reply at all; this bounds the wait for it too.
     */
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(20);

    private final List<Listener> listeners;

    private DynamicEntry(List<Listener> listeners) {
        this.listeners = listeners;
    }

    /**
     * Listens on every forward's address and the SOCKS address ({@code null}: none), then accepts
     * on each. All listeners are bound before any accepts, so a port in use fails the start.
     *
     * @param draining whether the tunnel is shutting down (accept loops then end quietly)
     */
    static DynamicEntry start(List<ForwardSpec> forwards, Address socks, SocksServer socksServer,
            Forwarding.SessionSource sessions, BooleanSupplier draining) throws IOException {
        List<Listener> bound = new ArrayList<>();
        DynamicEntry entry = new DynamicEntry(bound);
        try {
            for (ForwardSpec f : forwards) {
                bound.add(Endpoints.listen(f.listen()));
            }
            if (socks != null) {
                bound.add(Endpoints.listen(socks));
            }
        } catch (IOException | RuntimeException e) {
            entry.close();
            throw e;
        }
        PeerWarnings warnings = new PeerWarnings(LOG);
        for (int i = 0; i < forwards.size(); i++) {
            ForwardSpec f = forwards.get(i);
            Listener l = bound.get(i);
            String name = "forward " + f.target();
            LOG.log(System.Logger.Level.INFO, name + ": listening on " + Address.of(l.address())
                    + " (each connection asks the exit for " + f.target() + ")");
            acceptOn(l, name, draining, conn -> forward(conn, f.target(), sessions, warnings));
        }
        if (socks != null) {
            Listener l = bound.get(bound.size() - 1);
            LOG.log(System.Logger.Level.INFO, "socks: listening on " + Address.of(l.address())
                    + " (SOCKS5, " + (socksServer.requiresAuthentication() ? "username/password" : "no authentication") + ")");
            if (!socks.isLoopbackOnly() && !socksServer.requiresAuthentication()) {
                LOG.log(System.Logger.Level.WARNING, "--socks " + socks + " is reachable from other machines and has"
                        + " no --socks-users: anyone who reaches it may use every destination the exit allows");
            }
            acceptOn(l, "socks", draining, conn -> socks(conn, socksServer, sessions, warnings));
        }
        return entry;
    }

    private static void acceptOn(Listener listener, String name, BooleanSupplier draining,
            java.util.function.Consumer<Conn> handler) {
        Thread.ofVirtual().name(name + " accept").start(() -> {
            AcceptBackoff backoff = new AcceptBackoff(LOG);
            try {
                while (true) {
                    Conn conn = backoff.accept(listener);
                    Thread.ofVirtual().name(name + " conn").start(() -> handler.accept(conn));
                }
            } catch (IOException e) {
                if (!draining.getAsBoolean()) {
                    LOG.log(System.Logger.Level.ERROR, name + ": accepting failed", e);
                }
            }
        });
    }

    private static void forward(Conn conn, Destination target, Forwarding.SessionSource sessions, PeerWarnings warnings) {
        MessageIo.Message<Stream> opened;
        try {
            opened = open(sessions, target);
        } catch (IOException | InterruptedException e) {
            warnings.warn("forward " + target + ": connection from " + Address.of(conn.remoteAddress())
                    + " dropped: " + Failures.describe(e));
            Forwarding.abortQuietly(conn);
            return;
        }
        joinWithLeftover(opened.value(), conn, opened.leftover(), target.toString());
    }

    private static void socks(Conn conn, SocksServer server, Forwarding.SessionSource sessions, PeerWarnings warnings) {
        String client = String.valueOf(Address.of(conn.remoteAddress()));
        MessageIo.Message<Destination> request;
        try {
            request = server.handshake(conn);
        } catch (IOException e) {
            warnings.warn("socks: client " + client + " dropped: " + Failures.describe(e));
            try {
                conn.close(); // not a reset: that could drop the failure answer just sent unread
            } catch (IOException ignored) {
                // Closing a connection we give up on; nothing more to do.
            }
            return;
        }
        Destination target = request.value();
        MessageIo.Message<Stream> opened;
        try {
            opened = open(sessions, target);
        } catch (IOException | InterruptedException e) {
            int code = e instanceof DestinationRefusedException r ? r.status().socksReply() : Socks5.REP_GENERAL_FAILURE;
            warnings.warn("socks: " + client + " -> " + target + " failed: " + Failures.describe(e)
                    + " (SOCKS reply " + code + ")");
            try {
                SocksServer.reply(conn, code);
                conn.close();
            } catch (IOException ignored) {
                Forwarding.abortQuietly(conn);
            }
            return;
        }
        Stream stream = opened.value();
        try {
            SocksServer.reply(conn, Socks5.REP_SUCCEEDED);
            MessageIo.write(stream, request.leftover());
        } catch (IOException e) {
            stream.reset();
            Forwarding.abortQuietly(conn);
            return;
        }
        joinWithLeftover(stream, conn, opened.leftover(), target.toString());
    }

    private static void joinWithLeftover(Stream stream, Conn conn, ByteBuffer fromExit, String what) {
        try {
            MessageIo.write(conn, fromExit);
        } catch (IOException e) {
            stream.reset();
            Forwarding.abortQuietly(conn);
            return;
        }
        Forwarding.join(stream, conn, what);
    }

    /**
     * Opens a stream to {@code target} through the exit: sends the preamble request and waits for
     * the reply. On OK the stream is returned with whatever of the target's bytes came with the reply.
     *
     * @throws DestinationRefusedException the exit answered with another status
     * @throws PreambleException.NotAPreamble, EOFException or SocketTimeoutException, with a
     *     message naming the flags to check, when the peer is not a dynamic exit
     */
    static MessageIo.Message<Stream> open(Forwarding.SessionSource sessions, Destination target)
            throws IOException, InterruptedException {
        Session session = sessions.get();
        if (session == null) {
            throw new IOException("no yamux session available");
        }
        Stream stream = session.openStream();
        MessageIo.Message<Preamble.Status> reply;
        try {
            MessageIo.write(stream, Preamble.request(target));
            try {
                reply = MessageIo.read(stream, 64, REPLY_TIMEOUT, Preamble::decodeReply); // room to show a plain reply
            } catch (PreambleException.NotAPreamble | EOFException | SocketTimeoutException
                    | io.weft.yamux.StreamResetException e) {
                throw new PreambleException.NotAPreamble(mismatch(e));
            }
            if (reply.value() == Preamble.Status.OK) {
                return new MessageIo.Message<>(stream, reply.leftover());
            }
        } catch (IOException | RuntimeException e) {
            stream.reset();
            throw e;
        }
        stream.close(); // the exit closed its side after the status
        throw new DestinationRefusedException(target, reply.value());
    }

    private static String mismatch(IOException e) {
        String what = e instanceof SocketTimeoutException ? "no answer from the exit within " + GoDuration.format(REPLY_TIMEOUT)
                : e instanceof EOFException ? "the exit closed the stream without answering"
                : e instanceof io.weft.yamux.StreamResetException ? "the exit reset the stream without answering"
                : "the exit answered with plain bytes " + e.getMessage().replace("no Weft preamble ", "")
                        + ", not a Weft preamble reply";
        return what + "; --forward and --socks need the peer started with --allow PATTERN, not --to ADDR";
    }

    @Override
    public void close() {
        for (Listener l : listeners) {
            try {
                l.close();
            } catch (IOException ignored) {
                // Closing to stop accepting; nothing else to do.
            }
        }
    }
}

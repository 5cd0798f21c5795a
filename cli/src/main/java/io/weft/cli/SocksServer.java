package io.weft.cli;

import io.weft.netpoll.Conn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Semaphore;

/**
 * The server half of a SOCKS5 handshake (RFC 1928 CONNECT; no-auth, or RFC 1929
 * username/password when users are configured) on one accepted connection. One call per
 * connection, any thread. At most {@link #MAX_PENDING} handshakes run at once (each may take a
 * silent client {@link #MESSAGE_TIMEOUT} per message); a connection beyond that is refused at
 * once with {@link BusyException}, so a flood of idle connections costs a bounded number of
 * threads and buffers, as {@link Admission} does for yamux handshakes.
 */
final class SocksServer {

    /** How long a client has for each handshake message. */
    static final Duration MESSAGE_TIMEOUT = Duration.ofSeconds(10);

    /** Handshakes in progress at once; more connections are refused unanswered. */
    static final int MAX_PENDING = Admission.MAX_PENDING;

    private final SocksUsers users;
    private final int maxPending;
    private final Semaphore pending;

    /** A server requiring one of {@code users}' credentials, or none when {@code null}. */
    SocksServer(SocksUsers users) {
        this(users, MAX_PENDING);
    }

    /** As {@link #SocksServer(SocksUsers)} with at most {@code maxPending} handshakes at once (tests). */
    SocksServer(SocksUsers users, int maxPending) {
        this.users = users;
        this.maxPending = maxPending;
        this.pending = new Semaphore(maxPending);
    }

    /** Handshakes running now. */
    int inProgress() {
        return maxPending - pending.availablePermits();
    }

    /** Whether clients must authenticate. */
    boolean requiresAuthentication() {
        return users != null;
    }

    /**
     * Runs the handshake up to the CONNECT request; the caller answers it with {@link #reply}.
     * Whatever the client sent after its request is in the message's leftover.
     *
     * @throws Socks5Exception the client is not a SOCKS5 client, offers no method this server
     *     accepts, fails authentication, or asks for something unsupported (the due reply has
     *     been sent)
     * @throws BusyException {@link #MAX_PENDING} handshakes are running (nothing was read or sent)
     */
    MessageIo.Message<Destination> handshake(Conn conn) throws IOException {
        if (!pending.tryAcquire()) {
            throw new BusyException();
        }
        try {
            return handshakeAdmitted(conn);
        } finally {
            pending.release();
        }
    }

    private MessageIo.Message<Destination> handshakeAdmitted(Conn conn) throws IOException {
        MessageIo.Message<Socks5.Greeting> greetingMessage = MessageIo.read(conn, Socks5.MAX_MESSAGE_BYTES,
                MESSAGE_TIMEOUT, Socks5::decodeGreeting);
        Socks5.Greeting greeting = greetingMessage.value();
        ByteBuffer arrived = greetingMessage.leftover(); // a client may send on without waiting for the answer
        int method = users != null ? Socks5.METHOD_USER_PASS : Socks5.METHOD_NO_AUTH;
        if (!greeting.offers(method)) {
            MessageIo.write(conn, Socks5.methodSelection(Socks5.METHOD_NONE_ACCEPTABLE));
            throw new Socks5Exception(users != null
                    ? "the client offers no username/password authentication (this --socks has --socks-users)"
                    : "the client offers only authentication methods this --socks does not use (no --socks-users)",
                    Socks5Exception.NO_REPLY);
        }
        MessageIo.write(conn, Socks5.methodSelection(method));
        if (users != null) {
            MessageIo.Message<Socks5.Credentials> credentials = MessageIo.read(conn, arrived,
                    Socks5.MAX_MESSAGE_BYTES, MESSAGE_TIMEOUT, Socks5::decodeCredentials);
            arrived = credentials.leftover();
            boolean accepted = users.accepts(credentials.value());
            MessageIo.write(conn, Socks5.authReply(accepted));
            if (!accepted) {
                throw new Socks5Exception("wrong username or password", Socks5Exception.NO_REPLY);
            }
        }
        try {
            return MessageIo.read(conn, arrived, Socks5.MAX_MESSAGE_BYTES, MESSAGE_TIMEOUT, Socks5::decodeRequest);
        } catch (Socks5Exception e) {
            if (e.replyCode() != Socks5Exception.NO_REPLY) {
                reply(conn, e.replyCode());
            }
            throw e;
        }
    }

    /** Answers the request with REP {@code code}. */
    static void reply(Conn conn, int code) throws IOException {
        MessageIo.write(conn, Socks5.reply(code));
    }

    /** Too many SOCKS handshakes are in progress; the connection was not read from. */
    static final class BusyException extends IOException {
        private static final long serialVersionUID = 1L;

        BusyException() {
            super("too many SOCKS5 handshakes in progress; closed unanswered");
        }
    }
}

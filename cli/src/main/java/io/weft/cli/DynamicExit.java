package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Net;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The exit side of dynamic streams ({@code --allow}): each stream the peer opens starts with a
 * {@link Preamble} request naming its destination; the exit checks it against the {@link
 * AllowList}, resolves and dials it, answers with a status, and on OK joins the stream to the
 * connection. Refusals and failures are logged through {@link PeerWarnings} (rate-limited).
 *
 * <p>Threads: {@link #serveStreams} runs on the calling thread until the session ends; each
 * stream is handled on its own virtual thread.
 */
final class DynamicExit {

    private static final System.Logger LOG = System.getLogger("io.weft.cli.forward");

    /** How long the entry has to send the whole preamble after opening a stream. */
    static final Duration PREAMBLE_TIMEOUT = Duration.ofSeconds(10);

    /** How long dialling may take in all, over every address a name resolves to. */
    static final Duration DIAL_BUDGET = Duration.ofSeconds(10);

    /** Name resolution; {@link InetAddress#getAllByName} outside tests. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String name) throws UnknownHostException;
    }

    private final AllowList allow;
    private final PeerWarnings warnings;

    DynamicExit(AllowList allow) {
        this.allow = allow;
        this.warnings = new PeerWarnings(LOG);
    }

    /** Serves the session's inbound streams until the session ends. */
    void serveStreams(Session session) {
        while (true) {
            Stream stream;
            try {
                stream = session.acceptStream();
            } catch (IOException e) {
                return; // session ended; its owner reports why
            }
            Thread.ofVirtual().name("exit stream " + stream.id()).start(() -> serve(stream));
        }
    }

    private void serve(Stream stream) {
        MessageIo.Message<Destination> request;
        try {
            request = MessageIo.read(stream, Preamble.MAX_REQUEST_BYTES, PREAMBLE_TIMEOUT, Preamble::decodeRequest);
        } catch (PreambleException.NotAPreamble | SocketTimeoutException e) {
            warnings.warn("stream " + stream.id() + ": " + (e instanceof SocketTimeoutException
                    ? "no Weft preamble within " + GoDuration.format(PREAMBLE_TIMEOUT) : e.getMessage())
                    + "; this exit (--allow) needs the peer started with --forward or --socks, not --from"
                    + " (or start this side with --to ADDR); stream reset");
            stream.reset();
            return;
        } catch (PreambleException e) {
            warnings.warn("stream " + stream.id() + ": " + e.getMessage() + "; refused");
            answerAndClose(stream, e.status());
            return;
        } catch (IOException e) {
            stream.reset(); // the entry gave up before it finished asking, or the session ended
            return;
        }
        Destination target = request.value();
        Conn conn;
        try {
            conn = dial(target, stream.id());
        } catch (RefusedException e) {
            warnings.warn("stream " + stream.id() + (e.status == Preamble.Status.NOT_ALLOWED
                    ? ": refused " + target + ": " + e.getMessage() + " (--allow " + allow + ")"
                    : ": cannot reach " + target + ": " + e.getMessage()));
            answerAndClose(stream, e.status);
            return;
        }
        try {
            MessageIo.write(stream, Preamble.reply(Preamble.Status.OK));
            MessageIo.write(conn, request.leftover());
        } catch (IOException e) {
            stream.reset();
            Forwarding.abortQuietly(conn);
            return;
        }
        Forwarding.join(stream, conn, target.toString());
    }

    /**
     * The addresses {@code allow} lets the exit dial for {@code target}, in resolver order: an
     * address asked for, if an address pattern matches it; all addresses of a name a name pattern
     * matches; otherwise those of the name's addresses that an address pattern matches. A name
     * is resolved only when some pattern could allow it.
     */
    static List<InetAddress> permittedAddresses(AllowList allow, Destination target, Resolver resolver)
            throws RefusedException {
        InetAddress literal = target.literal();
        if (literal != null) {
            if (!allow.permitsAddress(literal, target.port())) {
                throw new RefusedException(Preamble.Status.NOT_ALLOWED, "no --allow pattern matches it");
            }
            return List.of(literal);
        }
        boolean byName = allow.permitsName(target.host(), target.port());
        if (!byName && !allow.hasAddressRulesFor(target.port())) {
            throw new RefusedException(Preamble.Status.NOT_ALLOWED, "no --allow pattern matches it");
        }
        InetAddress[] resolved;
        try {
            resolved = resolver.resolve(target.host());
        } catch (UnknownHostException e) {
            throw new RefusedException(Preamble.Status.DNS_FAILURE, "cannot resolve " + target.host());
        }
        List<InetAddress> permitted = new ArrayList<>();
        for (InetAddress a : resolved) {
            if (byName || allow.permitsAddress(a, target.port())) {
                permitted.add(a);
            }
        }
        if (permitted.isEmpty()) {
            throw new RefusedException(Preamble.Status.NOT_ALLOWED, "no --allow pattern matches its name or"
                    + " its addresses " + String.join(", ", List.of(resolved).stream().map(InetAddress::getHostAddress).toList()));
        }
        return permitted;
    }

    /** Dials the first permitted address that answers, within {@link #DIAL_BUDGET} in all. */
    private Conn dial(Destination target, int streamId) throws RefusedException {
        List<InetAddress> addresses = permittedAddresses(allow, target, InetAddress::getAllByName);
        long deadlineNanos = System.nanoTime() + DIAL_BUDGET.toNanos();
        IOException last = null;
        for (InetAddress a : addresses) {
            long leftNanos = deadlineNanos - System.nanoTime();
            if (leftNanos <= 0) {
                break;
            }
            Address address = Address.tcp(a.getHostAddress(), String.valueOf(target.port()));
            try {
                return Net.dial(address.network(), address.address(), Duration.ofNanos(leftNanos));
            } catch (IOException e) {
                last = e;
                LOG.log(System.Logger.Level.DEBUG, () -> "stream " + streamId + ": " + address + ": " + Failures.describe(e));
            }
        }
        if (last == null) {
            throw new RefusedException(Preamble.Status.TIMEOUT, "connection timed out");
        }
        throw new RefusedException(statusOf(last), Failures.describe(last));
    }

    /** The preamble status for a dial failure. */
    static Preamble.Status statusOf(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return Preamble.Status.REFUSED;
            }
            if (t instanceof NoRouteToHostException) {
                return Preamble.Status.UNREACHABLE;
            }
            if (t instanceof SocketTimeoutException) {
                return Preamble.Status.TIMEOUT;
            }
            if (t instanceof UnknownHostException) {
                return Preamble.Status.DNS_FAILURE;
            }
        }
        return Preamble.Status.FAILURE;
    }

    private static void answerAndClose(Stream stream, Preamble.Status status) {
        try {
            MessageIo.write(stream, Preamble.reply(status));
            stream.close();
        } catch (IOException | RuntimeException e) {
            stream.reset();
        }
    }

    /** Why this exit will not connect a stream; the message is for the log. */
    static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;
        private final Preamble.Status status;

        RefusedException(Preamble.Status status, String message) {
            super(message);
            this.status = status;
        }

        /** The status to answer with. */
        Preamble.Status status() {
            return status;
        }
    }
}

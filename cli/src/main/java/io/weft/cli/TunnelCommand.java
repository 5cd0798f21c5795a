package io.weft.cli;

import io.weft.netpoll.Listener;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import io.weft.netpoll.tls.TlsConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code weft tunnel}: TCP forwarding through one yamux connection over TCP or a unix socket.
 *
 * <p>Two independent choices: how the yamux connection is made ({@code --listen ADDR}: accept
 * any number of them, yamux server; {@code --connect ADDR}: dial one, yamux client, and dial
 * again with exponential backoff whenever it drops) and which end of the forwarding this is
 * ({@code --from ADDR}: connections accepted here enter the tunnel; {@code --to ADDR}: streams
 * leave the tunnel by connecting here). All four combinations work: {@code --connect … --to …}
 * is a reverse tunnel from behind a firewall. Entries that name each stream's destination
 * ({@code --forward}, {@code --socks}) and the exit that checks it ({@code --allow}) are in
 * {@link DynamicOptions}.
 *
 * <p>Security: TLS ({@link TlsOptions}) and a shared token ({@code --token-file}, see {@link
 * TokenAuth}) run before yamux on every connection. Listening anywhere but loopback or a unix
 * socket needs both TLS and authentication (a token or client certificates) unless
 * {@code --insecure}. An authentication failure ends a client at once with exit code 5 instead
 * of reconnecting.
 *
 * <p>Threads: the main thread runs the connect/reconnect loop or the yamux accept loop; each
 * accepted connection's handshake, local accept loops, per-session stream loops and joined
 * connections run on virtual threads; with {@code --connect} each session is served on a virtual
 * thread while the main thread watches it for its end or the peer's GoAway.
 *
 * <p>GoAway: when the peer of a dialed session sends GoAway(0) (it is shutting down and refuses
 * new streams while its open streams finish), new connections stop using that session at once
 * ({@link SessionSet#pick} skips it), the client dials a fresh session without waiting for the
 * old one to end, and the old one drains on its own.
 */
@Command(name = "tunnel", mixinStandardHelpOptions = true, addMethodSubcommands = false,
        description = {
            "Forwards TCP connections through yamux connections over TCP or unix sockets.",
            "One side listens for yamux connections (--listen), the other connects (--connect, with"
                    + " reconnect and keepalive). Independently, one side is the entry (--from: connections"
                    + " accepted there open streams) and the other the exit (--to: each stream connects there)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  # forward localhost:8080 here to port 80 on host 'server', TLS and a token:",
            "  server$ weft tls init ~/.weft   (prints the pin; copy ~/.weft/token over)",
            "  server$ weft tunnel --listen :7000 --to localhost:80 \\",
            "              --tls-cert ~/.weft/cert.pem --tls-key ~/.weft/key.pem \\",
            "              --token-file ~/.weft/token",
            "  laptop$ weft tunnel --connect server:7000 --from 127.0.0.1:8080 \\",
            "              --tls-pin sha256:<pin> --token-file ~/token",
            "",
            "  # reverse: publish a service from behind a firewall on public:8080 (TLS and",
            "  # token options as above):",
            "  public$ weft tunnel --listen :7000 --from :8080 --tls-cert ... --tls-key ... \\",
            "              --token-file ...",
            "  inside$ weft tunnel --connect public:7000 --to localhost:3000 --tls-pin ... \\",
            "              --token-file ...",
            "",
            "  # loopback and unix sockets need no TLS:",
            "  weft tunnel --listen unix:/run/weft.sock --to localhost:5432",
            "",
            "  # two forwards and SOCKS5 (ssh -L -L -D); the exit allows what it lists:",
            "  server$ weft tunnel --listen :7000 --allow db:5432 \\",
            "              --allow '*.internal:443' --allow 10.0.0.0/8:22 ...",
            "  laptop$ weft tunnel --connect server:7000 --socks 1080 \\",
            "              --forward 5432:db:5432 --forward 2222:10.0.0.7:22 ...",
            "  laptop$ curl --socks5-hostname 127.0.0.1:1080 https://wiki.internal/",
            "  (on a --listen side --forward is ssh -R; the connecting side is the exit)",
            "",
            "Listening on anything but loopback or a unix socket needs TLS (--tls-cert,",
            "--tls-key) and authentication (--token-file or --tls-client-ca), or --insecure.",
            "",
            "Exit codes: 0 ok, 1 I/O error, 2 usage error (also: both ends --from, or both",
            "--to), 3 protocol error (yamux, or the peer does not speak yamux or TLS),",
            "4 keepalive timeout, 5 authentication failed (token refused or missing,",
            "certificate or pin rejected; the client does not reconnect), 130 interrupted",
            "(Ctrl-C). SIGTERM stops gracefully: GoAway, open streams get --drain-timeout",
            "to finish, exit 0.",
            "All options can come from a TOML file: --config FILE (see docs/cli.md)."
        })
final class TunnelCommand implements Callable<Integer> {

    private static final System.Logger LOG = System.getLogger("io.weft.cli.tunnel");

    /**
     * How often the connect loop looks at {@link Session#remoteGoAway()} while its session runs
     * ({@link Session} offers no GoAway callback). New connections never wait for this: they skip
     * a going-away session at once and wait for the fresh one.
     */
    private static final Duration GOAWAY_CHECK = Duration.ofMillis(50);

    static final class Transport {
        @Option(names = "--listen", required = true, paramLabel = "ADDR", converter = Address.Converter.class,
                description = "Accept yamux connections here (any number at once).")
        Address listen;

        @Option(names = "--connect", required = true, paramLabel = "ADDR", converter = Address.Converter.class,
                description = "Connect to the yamux peer here; reconnect with backoff when the connection drops.")
        Address connect;
    }

    static final class Role {
        @Option(names = "--from", required = true, paramLabel = "ADDR", converter = Address.Converter.class,
                description = "Entry: listen here; every accepted connection opens a stream.")
        Address from;

        @Option(names = "--to", required = true, paramLabel = "ADDR", converter = Address.Converter.class,
                description = "Exit: every stream the peer opens connects here.")
        Address to;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Transport transport;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Role role;

    @Mixin
    DynamicOptions dynamic;

    @Option(names = "--retry-min", paramLabel = "DURATION", converter = GoDuration.class, defaultValue = "100ms",
            description = "With --connect: first wait before reconnecting (default: ${DEFAULT-VALUE}).")
    Duration retryMin;

    @Option(names = "--retry-max", paramLabel = "DURATION", converter = GoDuration.class, defaultValue = "10s",
            description = "With --connect: longest wait between reconnects; waits double up to it (default: ${DEFAULT-VALUE}).")
    Duration retryMax;

    @Option(names = "--max-retries", paramLabel = "N", defaultValue = "-1",
            description = "With --connect: retry at most N times in a row, so N+1 attempts (0: one attempt), then"
                    + " exit. A failed connect, a peer that does not speak yamux, and a connection that ended within"
                    + " --retry-max each count (default: retry for ever).")
    int maxRetries;

    @Mixin
    DrainOption drainOption;

    @Mixin
    ConfigOption configOption;

    @Option(names = "--insecure",
            description = "Allow --listen on a non-loopback address without TLS and authentication (with a warning).")
    boolean insecure;

    @Mixin
    TokenOption tokenOption;

    @Mixin
    TlsOptions tlsOptions;

    @Mixin
    SessionOptions sessionOptions;

    @Mixin
    LimitOptions limitOptions;

    @Mixin
    MetricsOptions metricsOptions;

    private final SessionSet sessions = new SessionSet();
    private PeerCheck peerCheck;

    @Override
    public Integer call() throws Exception {
        role = role != null ? role : new Role();
        dynamic.validate(role.from, role.to);
        if (retryMin.isZero() || retryMax.compareTo(retryMin) < 0) {
            throw new IllegalArgumentException("--retry-min must be more than 0s and at most --retry-max");
        }
        YamuxConfig base = sessionOptions.toConfig();
        YamuxConfig config = base.toBuilder().memoryBudget(limitOptions.budget(base)).build();
        Handshake handshake = handshake();
        peerCheck = new PeerCheck(tunnelRole(), handshake.timeout(), LOG);
        config = peerCheck.install(config);
        Listener entry = role.from != null ? Endpoints.listen(role.from) : null;
        DynamicEntry dynamicEntry = dynamic.isEntry() ? DynamicEntry.start(dynamic.forwards, dynamic.socks,
                dynamic.socksServer(), Forwarding.SessionSource.of(sessions), sessions::isDraining) : null;
        DynamicExit dynamicExit = dynamic.isExit() ? new DynamicExit(dynamic.allowList()) : null;
        if (dynamicExit != null) {
            LOG.log(System.Logger.Level.INFO, "exit: each stream connects where its entry asks, if --allow "
                    + dynamic.allowList() + " lets it");
        }
        Listener yamux = transport.listen != null ? Endpoints.listen(transport.listen) : null;
        Shutdown.installService(drainOption.timeout());
        Shutdown.register(budget -> {
            sessions.beginDrain();
            closeQuietly(entry);
            closeQuietly(dynamicEntry);
            closeQuietly(yamux);
            sessions.drain(budget);
        });
        Shutdown.onExitReport(() -> System.err.println("weft tunnel: " + sessions.summary()));
        try {
            metricsOptions.start(sessions, LOG);
            if (entry != null) {
                LOG.log(System.Logger.Level.INFO, "entry: listening on " + Address.of(entry.address())
                        + " (each connection opens a stream)");
                Thread.ofVirtual().name("tunnel entry").start(() -> {
                    try {
                        Forwarding.acceptConnections(entry, Forwarding.SessionSource.of(sessions),
                                new AcceptBackoff(LOG, sessions.counters.entryAcceptErrors));
                    } catch (IOException e) {
                        if (!sessions.isDraining()) {
                            LOG.log(System.Logger.Level.ERROR, "accepting on " + role.from + " failed", e);
                        }
                    }
                });
            }
            if (yamux != null) {
                return acceptSessions(yamux, config, handshake, dynamicExit);
            }
            return connectLoop(config, handshake, dynamicExit);
        } finally {
            sessions.beginDrain(); // the accept loops end quietly
            closeQuietly(entry);
            closeQuietly(dynamicEntry);
            closeQuietly(yamux);
            metricsOptions.stop();
        }
    }

    /** This end's part, named by the flag that made it (the peer check's messages name it). */
    private TunnelRole tunnelRole() {
        if (role.from != null) {
            return TunnelRole.entry("--from");
        }
        if (dynamic.isEntry()) {
            return TunnelRole.entry(dynamic.forwards.isEmpty() ? "--socks" : "--forward");
        }
        return TunnelRole.exit(role.to != null ? "--to" : "--allow");
    }

    /**
     * This side's handshake from the options, after the safe-default check: a listener that
     * other machines can reach needs TLS and authentication unless {@code --insecure}.
     */
    private Handshake handshake() throws IOException {
        Token token = tokenOption.read();
        Duration timeout = tlsOptions.handshakeTimeout();
        if (transport.listen != null) {
            TlsConfig tls = tlsOptions.forServer();
            boolean authenticated = token != null || tlsOptions.requiresClientCertificates();
            if (!transport.listen.isLoopbackOnly() && (tls == null || !authenticated)) {
                String missing = tls == null && !authenticated ? "TLS and authentication"
                        : tls == null ? "TLS" : "authentication";
                if (!insecure) {
                    throw new IllegalArgumentException("refusing to listen on " + transport.listen
                            + " without " + missing + ": add --tls-cert and --tls-key with --token-file"
                            + " (or --tls-client-ca), see 'weft tls init'; or --insecure");
                }
                LOG.log(System.Logger.Level.WARNING, "--insecure: listening on " + transport.listen + " without "
                        + missing + "; anyone who can reach it can use this tunnel"
                        + (tls == null ? " and read its traffic" : ""));
            }
            return Handshake.server(tls, token, timeout);
        }
        if (insecure) {
            throw new IllegalArgumentException("--insecure is for --listen");
        }
        TlsConfig tls = tlsOptions.forClient();
        if (tls == null && token != null && !transport.connect.isLoopbackOnly()) {
            LOG.log(System.Logger.Level.WARNING, "connecting to " + transport.connect + " without TLS: the token"
                    + " stays secret, but the tunnel's data crosses the network in the clear (add --tls-pin or --tls-ca)");
        }
        return Handshake.client(tls, tls == null ? null : tlsOptions.serverName(transport.connect), token, timeout);
    }

    private int acceptSessions(Listener yamux, YamuxConfig config, Handshake handshake, DynamicExit dynamicExit)
            throws IOException {
        LOG.log(System.Logger.Level.INFO, LimitOptions.describe(config.memoryBudget()));
        LOG.log(System.Logger.Level.INFO, "yamux: listening on " + Address.of(yamux.address())
                + describe(handshake));
        new Admission(handshake, config, sessions, LOG).acceptLoop(yamux, session -> {
            LOG.log(System.Logger.Level.INFO, "yamux connection from " + Address.text(session.remoteAddress()));
            runSession(session, dynamicExit);
            LOG.log(System.Logger.Level.INFO, "yamux connection from " + Address.text(session.remoteAddress()) + " ended"
                    + endedHow(session));
        });
        return Failures.OK;
    }

    private String describe(Handshake handshake) {
        if (!handshake.usesTls() && !handshake.usesToken()) {
            return "";
        }
        return " (" + (handshake.usesTls() ? "TLS" + (tlsOptions.requiresClientCertificates()
                ? " with client certificates" : "") : "no TLS")
                + (handshake.usesToken() ? ", token" : "") + ")";
    }

    /**
     * Dials the peer and serves each session until it ends, then dials again. Every failure — a
     * dial that fails, or a session that ends before it was up for {@code --retry-max} (a peer
     * that accepts and then speaks garbage, dies at once, or stops answering) — waits the current
     * backoff and doubles it, and counts toward {@code --max-retries}. Only a session that stayed
     * up longer than {@code --retry-max} resets both: so whatever the peer does, this side
     * never reconnects in a tight loop; once the backoff has grown, at most about once per
     * {@code --retry-max}.
     */
    private int connectLoop(YamuxConfig config, Handshake handshake, DynamicExit dynamicExit)
            throws InterruptedException, IOException {
        Address peer = transport.connect;
        Duration wait = retryMin;
        int failuresInARow = 0;
        while (!sessions.isDraining()) {
            Session session;
            try {
                session = Session.client(handshake.run(Endpoints.dial(peer), true), config);
                peerCheck.verify(session, peer); // a ping must come back: the peer speaks yamux
            } catch (IOException e) {
                if (isFinal(e)) {
                    throw e;
                }
                failuresInARow++;
                if (maxRetries >= 0 && failuresInARow > maxRetries) {
                    throw new IOException("cannot connect to " + peer + " after " + failuresInARow
                            + (failuresInARow == 1 ? " try" : " tries"), e);
                }
                LOG.log(System.Logger.Level.WARNING, (e instanceof NotYamuxException ? e.getMessage()
                        : "cannot connect to " + peer + ": " + Failures.describe(e))
                        + "; retrying in " + GoDuration.format(wait));
                TimeUnit.NANOSECONDS.sleep(wait.toNanos());
                wait = nextWait(wait);
                continue;
            }
            long startedNanos = System.nanoTime();
            sessions.add(session);
            LOG.log(System.Logger.Level.INFO, "connected to " + peer);
            Thread serving = Thread.ofVirtual().name("tunnel session").start(() -> runSession(session, dynamicExit));
            awaitEndOrGoAway(session);
            if (!session.isClosed() && !sessions.isDraining()) {
                // The peer sent GoAway(0): the session drains on its own thread; dial a fresh one
                // now, unless this one came up only moments ago (a peer that says GoAway on every
                // connection must not make us redial in a tight loop).
                boolean lastedLong = System.nanoTime() - startedNanos > retryMax.toNanos();
                LOG.log(System.Logger.Level.INFO, "the peer at " + peer + " is going away (GoAway);"
                        + " new connections use a fresh connection while this one drains");
                if (lastedLong) {
                    wait = retryMin;
                } else {
                    TimeUnit.NANOSECONDS.sleep(wait.toNanos());
                    wait = nextWait(wait);
                }
                continue;
            }
            serving.join();
            RoleMismatchException mismatch = peerCheck.mismatch(session);
            if (mismatch != null) {
                throw mismatch;
            }
            if (sessions.isDraining()) {
                break;
            }
            if (session.closeCause() != null && isFinal(session.closeCause())) {
                throw session.closeCause();
            }
            if (System.nanoTime() - startedNanos > retryMax.toNanos()) {
                failuresInARow = 0;
                wait = retryMin;
            } else {
                failuresInARow++;
                if (maxRetries >= 0 && failuresInARow > maxRetries) {
                    IOException cause = session.closeCause();
                    throw new IOException("connection to " + peer + " failed " + failuresInARow
                            + " times in a row, each within " + GoDuration.format(retryMax), cause);
                }
            }
            LOG.log(System.Logger.Level.WARNING, "connection to " + peer + " lost" + endedHow(session)
                    + "; reconnecting in " + GoDuration.format(wait));
            TimeUnit.NANOSECONDS.sleep(wait.toNanos());
            wait = nextWait(wait);
        }
        return Failures.OK;
    }

    /**
     * Whether reconnecting cannot help: authentication failed (exit 5), or the peer does not
     * speak TLS, wants TLS from this side, or shares no TLS version or cipher with it (exit 3).
     * All are configuration mismatches; a retry would fail the same way.
     */
    private static boolean isFinal(IOException e) {
        int code = Failures.exitCode(e);
        if (code == Failures.AUTH || e instanceof RoleMismatchException) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProtocolMismatchException) {
                return true;
            }
            if (t instanceof io.weft.netpoll.tls.TlsHandshakeException) {
                return code == Failures.PROTOCOL;
            }
        }
        return false;
    }

    private Duration nextWait(Duration wait) {
        Duration doubled = wait.multipliedBy(2);
        return doubled.compareTo(retryMax) > 0 ? retryMax : doubled;
    }

    /** Waits until {@code session} ends or its peer has sent GoAway(0). */
    private static void awaitEndOrGoAway(Session session) throws InterruptedException {
        while (!session.awaitClose(GOAWAY_CHECK)) {
            if (session.remoteGoAway()) {
                return;
            }
        }
    }

    /** Serves one session in its role until it ends. */
    private void runSession(Session session, DynamicExit dynamicExit) {
        if (role.to != null) {
            Forwarding.serveStreams(session, role.to);
        } else if (dynamicExit != null) {
            dynamicExit.serveStreams(session);
        } else {
            session.closeFuture().join();
        }
        sessions.ended(session);
    }

    private static String endedHow(Session session) {
        IOException cause = session.closeCause();
        if (cause == null) {
            return "";
        }
        String hint = "";
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof io.weft.yamux.YamuxProtocolException p && !p.isRemote()
                    && p.reason().equals("unsupported yamux version 22")) {
                hint = "; a TLS client? this side needs --tls-cert and --tls-key";
            }
        }
        return " (" + Failures.describe(cause) + hint + ")";
    }

    private static void closeQuietly(DynamicEntry dynamicEntry) {
        if (dynamicEntry != null) {
            dynamicEntry.close();
        }
    }

    private static void closeQuietly(Listener listener) {
        if (listener == null) {
            return;
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing to stop accepting; nothing else to do.
        }
    }
}

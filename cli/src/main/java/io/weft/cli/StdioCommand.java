package io.weft.cli;

import io.weft.netpoll.Listener;
import io.weft.yamux.Session;
import io.weft.yamux.SessionStats;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code weft stdio}: a drop-in for nwtgck/yamux-cli. The yamux session runs over stdin/stdout;
 * with {@code -l} each connection accepted locally opens a stream (yamux client role), without it
 * each stream the peer opens is joined to a new connection to HOST PORT (yamux server role).
 * Nothing but yamux frames is ever written to stdout: {@code System.out} is pointed at stderr
 * before the session starts.
 *
 * <p>Threads: the main thread runs the stream accept loop (server role) or waits for the session
 * to end (client role, the listener's accept loop then runs on a virtual thread).
 */
@Command(name = "stdio", mixinStandardHelpOptions = true, addMethodSubcommands = false,
        description = {
            "Runs a yamux session over stdin/stdout, compatible with nwtgck/yamux-cli.",
            "  weft stdio HOST PORT       each stream the peer opens connects to HOST:PORT",
            "                             (yamux server role)",
            "  weft stdio -l [HOST] PORT  each connection to [HOST:]PORT opens a stream",
            "                             (yamux client role)",
            "  weft stdio -U [-l] PATH    the same with a unix socket"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  # forward local port 8080 to port 80, through a pipe:",
            "  mkfifo p; cat p | weft stdio localhost 80 | weft stdio -l 8080 > p",
            "  # reach a service behind ssh, one ssh connection for every TCP connection:",
            "  mkfifo p; ssh host weft stdio localhost 5432 < p | weft stdio -l 15432 > p",
            "",
            "Either end may be Go's yamux-cli. The session uses hashicorp's defaults unless",
            "session options say otherwise; it ends when stdin ends (exit 0) or fails."
        })
final class StdioCommand implements Callable<Integer> {

    @Option(names = {"-l", "--listen"}, description = "Listen locally; every accepted connection opens a stream.")
    boolean listen;

    @Option(names = {"-U", "--unixsock"}, description = "Use a unix socket at PATH instead of TCP.")
    boolean unix;

    @Parameters(arity = "1..2", paramLabel = "ARG", description = "HOST PORT, [HOST] PORT with -l, or PATH with -U.")
    List<String> args;

    @Mixin
    DrainOption drainOption;

    @Mixin
    SessionOptions sessionOptions;

    @Override
    public Integer call() throws Exception {
        Address address = address();
        var config = sessionOptions.toConfig();
        Listener listener = listen ? Endpoints.listen(address) : null;
        // From here on stdout belongs to the session: stray prints go to stderr instead.
        PrintStream stdout = System.out;
        System.setOut(System.err);
        Session session = listen
                ? Session.client(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out), config)
                : Session.server(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out), config);
        Shutdown.install(drainOption.timeout());
        // Set before the listener closes, so the accept loop takes the closed listener for the
        // stop it is and leaves the session to the drain (GoAway first) instead of closing it.
        AtomicBoolean stopping = new AtomicBoolean();
        Shutdown.register(budget -> {
            stopping.set(true);
            session.goAway();
            if (listener != null) {
                listener.close();
            }
            session.awaitClose(budget);
            session.close();
        });
        Shutdown.onExitReport(() -> System.err.println("weft stdio: " + summary(session.stats())));
        try {
            if (listener != null) {
                Thread.ofVirtual().name("stdio accept").start(() -> {
                    try {
                        Forwarding.acceptConnections(listener, Forwarding.SessionSource.of(session));
                    } catch (IOException e) {
                        if (!stopping.get() && !session.isClosed()) {
                            System.Logger log = System.getLogger("io.weft.cli.stdio");
                            log.log(System.Logger.Level.ERROR, "accept on " + address + " failed", e);
                            session.close();
                        }
                    }
                });
                System.getLogger("io.weft.cli.stdio").log(System.Logger.Level.INFO,
                        () -> "listening on " + Address.of(listener.address()));
                session.closeFuture().join();
            } else {
                Forwarding.serveStreams(session, address);
            }
        } finally {
            if (listener != null) {
                listener.close();
            }
            session.close();
            stdout.flush();
        }
        IOException cause = session.closeCause();
        System.getLogger("io.weft.cli.stdio").log(System.Logger.Level.DEBUG,
                () -> "session ended: " + summary(session.stats()));
        if (Sessions.endedCleanly(cause)) {
            return Failures.OK;
        }
        if (Sessions.endedMidFrame(cause)) {
            throw new IOException("stdin ended in the middle of a yamux frame (the peer stopped mid-write, or the"
                    + " input was cut short)", cause);
        }
        throw cause;
    }

    private Address address() {
        if (unix) {
            if (args.size() != 1) {
                throw new IllegalArgumentException("-U takes exactly one PATH");
            }
            return Address.unix(args.get(0));
        }
        if (listen) {
            return args.size() == 1 ? Address.tcp("", args.get(0)) : Address.tcp(args.get(0), args.get(1));
        }
        if (args.size() != 2) {
            throw new IllegalArgumentException("expected HOST PORT (or -l [HOST] PORT to listen)");
        }
        return Address.tcp(args.get(0), args.get(1));
    }

    static String summary(SessionStats s) {
        return "streams " + Format.count(s.streamsOpened() + s.streamsAccepted()) + " (" + Format.count(s.streamsReset())
                + " reset) | in " + ByteSize.format(s.bytesIn()) + " | out " + ByteSize.format(s.bytesOut());
    }
}

package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code weft echo}: a yamux echo server for testing peers. Accepts any number of yamux
 * connections (yamux server role); every stream gets its bytes back until it half-closes, then
 * is closed.
 *
 * <p>Threads: the main thread accepts connections; each session's accept loop and each stream's
 * echo run on virtual threads.
 */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "Accepts yamux connections and echoes every stream until it half-closes.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  weft echo --listen :7000               then: weft ping localhost:7000",
            "  weft echo --listen unix:/tmp/echo.sock",
            "  weft echo --listen 127.0.0.1:7000 -v   log every session"
        })
final class EchoCommand implements Callable<Integer> {

    private static final System.Logger LOG = System.getLogger("io.weft.cli.echo");

    @Option(names = {"-l", "--listen"}, required = true, paramLabel = "ADDR", converter = Address.Converter.class,
            description = "Address to accept yamux connections on.")
    Address listen;

    @Option(names = "--drain", paramLabel = "DURATION", converter = GoDuration.class, defaultValue = "2s",
            description = "On SIGINT/SIGTERM, how long open streams may finish after GoAway (default: ${DEFAULT-VALUE}).")
    Duration drain;

    @Mixin
    SessionOptions sessionOptions;

    @Override
    public Integer call() throws Exception {
        YamuxConfig config = sessionOptions.toConfig();
        SessionSet sessions = new SessionSet();
        Listener listener = Endpoints.listen(listen);
        try {
            Shutdown.install(drain);
            Shutdown.register(budget -> {
                sessions.beginDrain();
                listener.close();
                sessions.drain(budget);
            });
            Shutdown.onExitReport(() -> System.err.println("weft echo: " + sessions.summary()));
            LOG.log(System.Logger.Level.INFO, "listening on " + Address.of(listener.address()));
            while (true) {
                Conn conn;
                try {
                    conn = listener.accept();
                } catch (IOException e) {
                    if (sessions.isDraining()) {
                        return Failures.OK;
                    }
                    throw e;
                }
                Session session = Session.server(conn, config);
                sessions.add(session);
                Thread.ofVirtual().name("echo session").start(() -> {
                    EchoService.serve(session);
                    sessions.ended(session);
                });
            }
        } finally {
            listener.close();
        }
    }
}
package io.weft.cli;

import io.weft.netpoll.Listener;
import io.weft.yamux.YamuxConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code weft echo}: a yamux echo server for testing peers. Accepts any number of yamux
 * connections (yamux server role); every stream gets its bytes back until it half-closes, then
 * is closed.
 *
 * <p>With {@code --tls-cert}/{@code --tls-key} it is a TLS yamux server (mutual TLS with
 * {@code --tls-client-ca}), for testing TLS yamux clients, Go's included.
 *
 * <p>Threads: the main thread accepts connections; each connection's TLS handshake, each
 * session's accept loop and each stream's echo run on virtual threads.
 */
@Command(name = "echo", mixinStandardHelpOptions = true, addMethodSubcommands = false,
        description = "Accepts yamux connections and echoes every stream until it half-closes.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  weft echo --listen :7000               then: weft ping localhost:7000",
            "  weft echo --listen unix:/tmp/echo.sock",
            "  weft echo --listen :7000 --tls-cert cert.pem --tls-key key.pem     then:",
            "      weft ping --tls-pin sha256:... host:7000",
            "  weft echo --listen 127.0.0.1:7000 -v   log every session"
        })
final class EchoCommand implements Callable<Integer> {

    private static final System.Logger LOG = System.getLogger("io.weft.cli.echo");

    @Option(names = {"-l", "--listen"}, required = true, paramLabel = "ADDR", converter = Address.Converter.class,
            description = "Address to accept yamux connections on.")
    Address listen;

    @Mixin
    DrainOption drainOption;

    @Mixin
    ConfigOption configOption;

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

    @Override
    public Integer call() throws Exception {
        YamuxConfig base = sessionOptions.toConfig();
        YamuxConfig config = base.toBuilder().memoryBudget(limitOptions.budget(base)).build();
        Handshake handshake = Handshake.server(tlsOptions.forServer(), tokenOption.read(),
                tlsOptions.handshakeTimeout());
        SessionSet sessions = new SessionSet();
        Listener listener = Endpoints.listen(listen);
        try {
            Shutdown.installService(drainOption.timeout());
            Shutdown.register(budget -> {
                sessions.beginDrain();
                listener.close();
                sessions.drain(budget);
            });
            Shutdown.onExitReport(() -> System.err.println("weft echo: " + sessions.summary()));
            metricsOptions.start(sessions, LOG);
            LOG.log(System.Logger.Level.INFO, LimitOptions.describe(config.memoryBudget()));
            LOG.log(System.Logger.Level.INFO, "listening on " + Address.of(listener.address())
                    + (handshake.usesTls() ? " (TLS" + (tlsOptions.requiresClientCertificates()
                            ? " with client certificates)" : ")") : ""));
            new Admission(handshake, config, sessions, LOG).acceptLoop(listener, session -> {
                EchoService.serve(session);
                sessions.ended(session);
            });
            return Failures.OK;
        } finally {
            listener.close();
            metricsOptions.stop();
        }
    }
}
package io.weft.cli;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code --metrics ADDR} for the long-running commands ({@code echo}, {@code tunnel}): serves
 * Prometheus text at {@code http://ADDR/metrics} from a {@link MetricsCollector} over the
 * command's {@link SessionSet}. Plain HTTP without authentication: the numbers say how busy the
 * process is, never what flows through it or who its peers are, so any address is allowed, but
 * one other machines can reach gets a warning (docs/cli.md, "Metrics"). A picocli mixin, filled
 * in on the main thread; {@link #start} runs once, on the main thread.
 */
@Command(addMethodSubcommands = false) // a mixin: no method scan for subcommands (start-up time)
final class MetricsOptions {

    @Option(names = "--metrics", paramLabel = "ADDR", converter = Address.Converter.class,
            description = "Serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9100; port 0 picks one)."
                    + " Plain HTTP, no authentication.")
    Address metrics;

    private HTTPServer server;

    /**
     * Starts the metrics server when {@code --metrics} was given, and logs the address it bound
     * ({@code metrics: serving http://127.0.0.1:PORT/metrics}). Its request threads are virtual;
     * {@link #stop()} stops it.
     *
     * @throws IllegalArgumentException for a unix socket address (a usage error)
     * @throws IOException if the address cannot be bound
     */
    void start(SessionSet sessions, System.Logger log) throws IOException {
        if (metrics == null) {
            return;
        }
        if (metrics.isUnix()) {
            throw new IllegalArgumentException("--metrics needs a TCP address (host:port), not a unix socket: " + metrics);
        }
        if (!metrics.isLoopbackOnly()) {
            log.log(System.Logger.Level.WARNING, "--metrics " + metrics + ": other machines can read this"
                    + " process's counters (plain HTTP, no authentication); they show traffic volumes, not data");
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new MetricsCollector(sessions));
        ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("metrics").factory());
        HTTPServer.Builder builder = HTTPServer.builder().registry(registry).executorService(threads)
                .port(Integer.parseInt(metrics.address().substring(metrics.address().lastIndexOf(':') + 1)));
        if (!metrics.host().isEmpty()) {
            builder.hostname(metrics.host());
        }
        server = builder.buildAndStart();
        String host = metrics.host().isEmpty() ? "0.0.0.0" : metrics.host();
        log.log(System.Logger.Level.INFO, "metrics: serving http://" + Address.tcp(host, String.valueOf(server.getPort()))
                + "/metrics");
    }

    /** Stops the metrics server, if one runs; idempotent. */
    void stop() {
        HTTPServer running = server;
        server = null;
        if (running != null) {
            running.close();
        }
    }
}

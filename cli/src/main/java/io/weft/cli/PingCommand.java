package io.weft.cli;

import io.weft.netpoll.tls.TlsConfig;
import io.weft.yamux.KeepAliveTimeoutException;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code weft ping}: connects to a yamux server (yamux client role) and measures round trips with
 * yamux Ping frames, printing them like ping(8) on stdout. Runs on the main thread.
 */
@Command(name = "ping", mixinStandardHelpOptions = true, addMethodSubcommands = false,
        description = "Pings a yamux server with yamux Ping frames and prints the round-trip times like ping(8).",
        footerHeading = "%nExamples:%n",
        footer = {
            "  weft ping localhost:7000               until Ctrl-C",
            "  weft ping -c 5 -i 200ms 10.0.0.2:7000",
            "  weft ping -q -c 100 -i 10ms host:7000  the first line and the statistics only",
            "  weft ping unix:/tmp/echo.sock",
            "  weft ping --tls-pin sha256:... host:7000  a TLS server (weft echo --tls-cert)",
            "",
            "Exit code 0 when at least one reply came, 4 when none did, 1 when the",
            "connection failed, 5 when the server's certificate or pin was rejected."
        })
final class PingCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ADDR", converter = Address.Converter.class,
            description = "The yamux server: host:port, [v6]:port or unix:/path.")
    Address address;

    @Option(names = {"-c", "--count"}, paramLabel = "COUNT",
            description = "Stop after COUNT replies or losses, at least 1 (default: until interrupted).")
    Long count;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-i", "--interval"}, paramLabel = "DURATION", converter = GoDuration.class, defaultValue = "1s",
            description = "Time between pings (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Mixin
    TokenOption tokenOption;

    @Mixin
    TlsOptions tlsOptions;

    @Mixin
    SessionOptions sessionOptions;

    // Written by the main thread, read by the shutdown hook for the final statistics.
    private final Queue<Duration> rtts = new ConcurrentLinkedQueue<>();
    private final AtomicLong sent = new AtomicLong();
    private volatile long startNanos;

    @Override
    public Integer call() throws Exception {
        if (count != null && count < 1) {
            // iputils ping refuses 0 too; 0 meaning "for ever" would surprise whoever scripted it
            throw new IllegalArgumentException("invalid --count " + count + ": at least 1 (leave -c out to ping until interrupted)");
        }
        // The global -q (given before or after "ping"): as with ping(8), only the first line and the statistics.
        boolean quiet = spec.commandLine().getParseResult().hasMatchedOption("-q")
                || spec.parent() != null && spec.parent().commandLine().getParseResult().hasMatchedOption("-q");
        PrintStream out = System.out;
        YamuxConfig config = sessionOptions.toConfig();
        TlsConfig tls = tlsOptions.forClient();
        Handshake handshake = Handshake.client(tls, tls == null ? null : tlsOptions.serverName(address),
                tokenOption.read(), tlsOptions.handshakeTimeout());
        try (Session session = Session.client(handshake.run(Endpoints.dial(address), true), config)) {
            out.println("PING " + address + " (yamux over " + (tls != null ? "TLS over " : "") + address.network() + ")");
            startNanos = System.nanoTime();
            Shutdown.install(Duration.ofSeconds(1));
            Shutdown.onExitReport(() -> statistics(out));
            for (long seq = 1; count == null || seq <= count; seq++) {
                if (seq > 1) {
                    TimeUnit.NANOSECONDS.sleep(interval.toNanos());
                }
                sent.incrementAndGet();
                try {
                    Duration rtt = session.ping();
                    rtts.add(rtt);
                    if (!quiet) {
                        out.println("pong from " + address + ": seq=" + seq + " time=" + Format.millis(rtt));
                    }
                } catch (KeepAliveTimeoutException e) {
                    if (!quiet) {
                        out.println("no pong from " + address + ": seq=" + seq + " (" + Failures.describe(e) + ")");
                    }
                }
                out.flush();
            }
            statistics(out);
            return rtts.isEmpty() ? Failures.KEEPALIVE : Failures.OK;
        }
    }

    /** The ping(8) footer: counts, loss, then min/avg/max/mdev in milliseconds. */
    private void statistics(PrintStream out) {
        long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
        double[] ms = rtts.stream().mapToDouble(d -> d.toNanos() / 1e6).toArray();
        long got = ms.length;
        long sent = Math.max(got, this.sent.get());
        long loss = sent == 0 ? 0 : Math.round(100.0 * (sent - got) / sent);
        out.println();
        out.println("--- " + address + " yamux ping statistics ---");
        out.println(sent + " pings transmitted, " + got + " received, " + loss + "% loss, time " + elapsedMs + "ms");
        if (got > 0) {
            double min = Double.MAX_VALUE;
            double max = 0;
            double sum = 0;
            double sumSq = 0;
            for (double v : ms) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
                sumSq += v * v;
            }
            double avg = sum / ms.length;
            double mdev = Math.sqrt(Math.max(0, sumSq / ms.length - avg * avg));
            out.println(String.format(Locale.ROOT, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms", min, avg, max, mdev));
        }
        out.flush();
    }
}

package io.weft.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The end-to-end comparison harness ({@code bench/run.sh} starts it): runs every cell of the
 * netpoll table (issue 3) and the yamux table (issue 4) in one run, and with {@code --suite tls}
 * or {@code all} the TLS tables ("Secure by default"), each cell in fresh processes, variants of a
 * row interleaved and their order rotated every round, then prints markdown tables of medians
 * [min–max] and ratios to stdout and to {@code --out}.
 *
 * <p>Options (all optional): {@code --rounds 3}, {@code --warmup 2} and {@code --measure 2}
 * (seconds per cell), {@code --suite default|all|netpoll|yamux|tls} (or several, comma-separated;
 * {@code default} is netpoll and yamux, {@code all} adds tls), {@code --go <weftbench binary>},
 * {@code --out <file.md>}, {@code --jvm "<flags for every child JVM>"}, {@code --heap} (heap
 * instead of direct buffers in the netpoll loops), {@code --epoll-virtual-pollers} (adds a netpoll
 * column for netpoll-epoll's opt-in virtual-thread pollers, 12 more cells), {@code --command "<text>"} (how to rerun, for
 * the report). Runs on its main thread; every cell is a child process.
 */
public final class Compare {

    /** JVM flags of every child process, printed in the report. */
    static final String DEFAULT_JVM_FLAGS =
            "-Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseG1GC --enable-native-access=ALL-UNNAMED";

    private Compare() {}

    /** Runs the comparison; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("rounds", "3", "warmup", "2", "measure", "2",
                "suite", "default", "jvm", DEFAULT_JVM_FLAGS, "out", "bench/target/benchmarks-table.md",
                "command", "bench/run.sh"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--heap") || args[i].equals("--epoll-virtual-pollers")) {
                options.put(args[i].substring(2), "true");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                options.put(args[i].substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        int rounds = Integer.parseInt(options.get("rounds"));
        double warmup = Double.parseDouble(options.get("warmup"));
        double measure = Double.parseDouble(options.get("measure"));
        Set<String> suites = new TreeSet<>();
        for (String name : options.get("suite").split(",")) {
            switch (name.trim()) {
                case "default" -> suites.addAll(List.of("netpoll", "yamux"));
                case "all" -> suites.addAll(List.of("netpoll", "yamux", "tls"));
                case "netpoll", "yamux", "tls" -> suites.add(name.trim());
                default -> throw new IllegalArgumentException("unknown suite " + name
                        + "; one of default, all, netpoll, yamux, tls");
            }
        }
        boolean heap = options.containsKey("heap");
        Path go = options.containsKey("go") ? Path.of(options.get("go")) : null;
        Launcher launcher = new Launcher(Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"), List.of(options.get("jvm").trim().split("\\s+")), go,
                Path.of("bench/target/bench-logs"));

        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        // run.sh samples the load before it builds: the 1-minute average lags, so right after a
        // build it mostly shows the build. The CPU busy share is sampled now, after a settle.
        String loadBefore = options.getOrDefault("load-before-build", Machine.loadAverages());
        String loadLabel = options.containsKey("load-before-build") ? "before building" : "before starting";
        Thread.sleep(500); // let this JVM's own start-up (JIT, GC) settle before sampling the CPU
        double busyBefore = Machine.cpuBusyPercent(1000);
        log("load average %s %s (now %s), CPU busy %.0f%% over 1 s before starting", loadBefore, loadLabel,
                Machine.loadAverages(), busyBefore);
        double load1m = Double.parseDouble(loadBefore.split(" ")[0]);
        boolean busy = load1m > 0.5 || busyBefore > 10;
        if (busy) {
            log("WARNING: the machine is not idle (1-min load average %.2f %s > 0.5, or CPU busy %.0f%% > 10%%): "
                    + "figures are preliminary", load1m, loadLabel, busyBefore);
        }

        List<Report.Table> tables = new ArrayList<>();
        if (suites.contains("netpoll")) {
            tables.add(netpollTable(options.containsKey("epoll-virtual-pollers")));
        }
        if (suites.contains("yamux")) {
            tables.add(yamuxTable());
        }
        if (suites.contains("tls")) {
            tables.add(tlsMuxTable());
            tables.add(tlsNetTable());
            try {
                launcher.useTls(BenchTls.generate(Path.of("bench/target/tls"), Path.of(System.getProperty("java.home"))));
            } catch (Exception e) {
                log("WARNING: could not make the TLS certificate (%s); TLS cells will read n/a", e.getMessage());
            }
        }
        Map<String, Set<String>> negotiated = new TreeMap<>();
        Report report = new Report();
        List<String> loads = new ArrayList<>();
        List<String> raw = new ArrayList<>();
        int cells = tables.stream().mapToInt(t -> t.rows().size() * t.columns().size()).sum() * rounds;
        log("%d cells, about %.0f s of measuring plus process start-up", cells, cells * (warmup + measure));
        long startNanos = System.nanoTime();
        String goVersion = "not built";
        for (int round = 1; round <= rounds; round++) {
            loads.add(Machine.loadAverages().split(" ")[0]);
            for (Report.Table table : tables) {
                List<String> variants = new ArrayList<>(table.columns().keySet());
                for (Report.Row row : table.rows()) {
                    for (int i = 0; i < variants.size(); i++) {
                        String variant = variants.get((i + round - 1) % variants.size()); // rotate each round
                        Launcher.Outcome outcome;
                        if (row.suite().equals("netpoll") || row.suite().equals("tls-net")) {
                            String[] key = row.key().split("-");
                            // TLS cells use heap buffers: the JDK's SSLSocket takes arrays.
                            outcome = launcher.netCell(variant, key[0], Integer.parseInt(key[1]), warmup, measure,
                                    heap || row.suite().equals("tls-net"));
                        } else {
                            outcome = launcher.muxCell(variant, row.key(), warmup, measure);
                        }
                        if (outcome.ok() && variant.startsWith("go-")) {
                            goVersion = outcome.runtime();
                        }
                        report.add(row, variant, round, outcome);
                        if (outcome.ok() && !outcome.tls().isEmpty()) {
                            negotiated.computeIfAbsent(table.columns().get(variant), k -> new TreeSet<>())
                                    .add(outcome.tls());
                        }
                        raw.add(String.format(Locale.ROOT,
                                "{\"round\":%d,\"row\":\"%s\",\"variant\":\"%s\",\"value\":%s,\"unit\":\"%s\","
                                        + "\"cpu\":%s,\"load1m\":%.2f,\"error\":%s}",
                                round, row.key(), variant, outcome.ok() ? Double.toString(outcome.value()) : "null",
                                outcome.unit(), Double.isNaN(outcome.cpu()) ? "null" : Double.toString(outcome.cpu()),
                                Machine.loadAverage1m(), outcome.ok() ? "null"
                                        : "\"" + outcome.error().replace("\\", "/").replace("\"", "'") + "\""));
                        log("round %d/%d  %-34s %-12s %s", round, rounds, row.label(), variant, outcome.ok()
                                ? Report.format(outcome.value()) + " " + outcome.unit() + (Double.isNaN(outcome.cpu())
                                        ? "" : String.format(Locale.ROOT, " (process CPU %.2f cores)", outcome.cpu()))
                                : outcome.unavailable() ? outcome.error() : "FAILED: " + outcome.error());
                    }
                }
            }
        }
        String loadAfter = Machine.loadAverages();

        StringBuilder md = new StringBuilder();
        md.append(busy ? "_Preliminary: the machine was not idle._\n\n" : "")
                .append("Measured ").append(started).append(" by `").append(options.get("command")).append("`.\n\n");
        for (String line : Machine.describe(goVersion)) {
            md.append("- ").append(line).append('\n');
        }
        md.append(String.format(Locale.ROOT,
                "- Load average %s: %s (CPU busy %.0f%% over 1 s before the first cell); at the start of each "
                        + "round: %s; after: %s%n",
                loadLabel, loadBefore, busyBefore, String.join(", ", loads), loadAfter));
        md.append(String.format(Locale.ROOT,
                "- %d round(s); per cell %.1f s warm-up + %.1f s measured; variants interleaved, order rotated "
                        + "each round; median [min–max] of the rounds; ratios are of medians.%n",
                rounds, warmup, measure));
        md.append("- Child JVMs: `").append(options.get("jvm")).append("`; netpoll loops use ")
                .append(heap ? "heap" : "direct").append(" buffers.\n\n");
        for (Report.Table table : tables) {
            md.append(report.render(table)).append('\n');
        }
        if (!negotiated.isEmpty()) {
            md.append("Negotiated in the TLS cells (protocol, cipher suite; Java pinned to ")
                    .append(BenchTls.CIPHER_SUITE).append(", Go's defaults):");
            negotiated.forEach((column, seen) -> md.append(' ').append(column).append(": ")
                    .append(String.join(" / ", seen)).append(';'));
            md.setLength(md.length() - 1);
            md.append(".\n\n");
        }
        if (!report.failures().isEmpty()) {
            md.append("Cells without a figure:\n\n");
            report.failures().forEach(f -> md.append("- ").append(f).append('\n'));
        }
        System.out.print(md);
        Path out = Path.of(options.get("out"));
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, md);
        Path json = out.resolveSibling("benchmarks-raw.jsonl");
        Files.write(json, raw);
        log("finished in %.0f s; table written to %s, every cell's figure to %s",
                (System.nanoTime() - startNanos) / 1e9, out, json);
    }

    static Report.Table netpollTable(boolean epollVirtualPollers) {
        String s = "netpoll";
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("weft-epoll", "Weft epoll");
        columns.put("weft-nio", "Weft nio");
        columns.put("jdk-virtual", "JDK virtual");
        columns.put("jdk-platform", "JDK platform");
        List<String[]> ratios = new ArrayList<>();
        ratios.add(new String[] {"weft-nio", "jdk-virtual"});
        if (epollVirtualPollers) {
            columns.put("weft-epoll-vt", "Weft epoll, virtual pollers");
            ratios.add(new String[] {"weft-epoll-vt", "jdk-virtual"});
        }
        return new Report.Table("netpoll (issue 3): loopback TCP, client and server in one JVM, thread per "
                + "connection end (virtual; platform for JDK platform)", List.of(
                new Report.Row(s, "pingpong-1", "64 B ping-pong, 1 conn (round trips/s)", "weft-epoll", "jdk-virtual", 1.0),
                new Report.Row(s, "pingpong-64", "64 B ping-pong, 64 conns (round trips/s)", "weft-epoll", "jdk-virtual", 0.9),
                new Report.Row(s, "pingpong-512", "64 B ping-pong, 512 conns (round trips/s)", "weft-epoll", "jdk-virtual", 0.9),
                new Report.Row(s, "bulk-1", "bulk, 1 conn, 64 KiB writes (MB/s)", "weft-epoll", "jdk-virtual", 0.95)),
                columns, ratios);
    }

    static Report.Table yamuxTable() {
        String s = "yamux";
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("weft-yamux", "Weft yamux");
        columns.put("go-yamux", "Go yamux");
        columns.put("weft-raw", "Weft raw TCP");
        columns.put("go-raw", "Go raw TCP");
        return new Report.Table("yamux (issue 4): one session, one stream, loopback TCP, client and server in "
                + "separate processes (Java: Weft netpoll epoll; Go: hashicorp/yamux)", List.of(
                new Report.Row(s, "bulk", "single-stream bulk, 64 KiB writes (MB/s)", "weft-yamux", "go-yamux", 1.2),
                new Report.Row(s, "rr", "64 B request/response, 1 stream (round trips/s)", "weft-yamux", "go-yamux", 1.2)),
                columns, List.<String[]>of(new String[] {"weft-yamux", "weft-raw"}, new String[] {"go-yamux", "go-raw"}));
    }

    static Report.Table tlsMuxTable() {
        String s = "tls-mux";
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("weft-yamux-tls", "Weft yamux/TLS");
        columns.put("go-yamux-tls", "Go yamux/TLS");
        columns.put("weft-raw-tls", "Weft TLS");
        columns.put("go-raw-tls", "Go TLS");
        return new Report.Table("yamux over TLS: one session, one stream, TLS 1.3 over loopback TCP, client and "
                + "server in separate processes (Java: Weft yamux over TlsConn over netpoll epoll, virtual threads; "
                + "Go: hashicorp/yamux over crypto/tls)", List.of(
                new Report.Row(s, "bulk", "single-stream bulk, 64 KiB writes (MB/s)", "weft-yamux-tls", "go-yamux-tls", 1.0),
                new Report.Row(s, "rr", "64 B request/response, 1 stream (round trips/s)", "weft-yamux-tls",
                        "go-yamux-tls", 1.0)),
                columns, List.<String[]>of(new String[] {"weft-raw-tls", "go-raw-tls"},
                        new String[] {"weft-yamux-tls", "weft-raw-tls"}, new String[] {"go-yamux-tls", "go-raw-tls"}));
    }

    static Report.Table tlsNetTable() {
        String s = "tls-net";
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("weft-epoll-tls", "Weft TlsConn");
        columns.put("jdk-tls-virtual", "JDK SSLSocket virtual");
        columns.put("jdk-tls-platform", "JDK SSLSocket platform");
        return new Report.Table("raw TLS: TLS 1.3 over loopback TCP, client and server in one JVM, thread per "
                + "connection end (virtual; platform for JDK platform), heap buffers (Weft: TlsConn over netpoll "
                + "epoll; JDK: SSLSocket/SSLServerSocket streams)", List.of(
                new Report.Row(s, "bulk-1", "bulk, 1 conn, 64 KiB writes (MB/s)", "weft-epoll-tls", "jdk-tls-virtual", 1.0),
                new Report.Row(s, "pingpong-1", "64 B ping-pong, 1 conn (round trips/s)", "weft-epoll-tls",
                        "jdk-tls-virtual", Double.NaN)),
                columns, List.<String[]>of(new String[] {"weft-epoll-tls", "jdk-tls-platform"}));
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[bench] " + format + "%n", args);
        System.err.flush();
    }
}

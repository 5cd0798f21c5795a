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
 * netpoll table (issue 3), the yamux table (issue 4) and the yamux2 table (issue 12: latency under
 * bulk, 8-stream bulk, churn, platform-thread round trips, idle memory) in one run, and with {@code --suite tls}
 * or {@code all} the TLS tables ("Secure by default"), each cell in fresh processes, variants of a
 * row interleaved and their order rotated every round, then prints markdown tables of medians
 * [min–max] and ratios to stdout and to {@code --out}.
 *
 * <p>Options (all optional): {@code --rounds 3}, {@code --warmup 5} and {@code --measure 2}
 * (seconds per cell; a Java cell's warm-up goes on past {@code --warmup} until its JIT is quiet, at
 * most 20 s more: see {@link Measurement#warmUp}), {@code --suite default|all|netpoll|yamux|yamux2|tls} (or several, comma-separated;
 * {@code default} is netpoll, yamux and yamux2, {@code all} adds tls), {@code --go <weftbench binary>},
 * {@code --out <file.md>}, {@code --jvm "<flags for every child JVM>"}, {@code --heap} (heap
 * instead of direct buffers in the netpoll loops), {@code --epoll-virtual-pollers} (adds a netpoll
 * column for netpoll-epoll's opt-in virtual-thread pollers, 12 more cells), {@code --command "<text>"} (how to rerun, for
 * the report). Runs on its main thread; every cell is a child process. The latency-under-bulk cell
 * also yields {@code latency-under-bulk.svg} beside {@code --out}.
 */
public final class Compare {

    /** JVM flags of every child process, printed in the report. */
    static final String DEFAULT_JVM_FLAGS =
            "-Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseG1GC --enable-native-access=ALL-UNNAMED";

    private Compare() {}

    /** {@code number} as JSON, {@code null} when absent (a Go cell has no warm-up figures). */
    static String jsonNumber(Double number) {
        return number == null ? "null" : Double.toString(number);
    }

    /** "median [min–max]" of {@code values}, no decimals. */
    static String spread(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return String.format(Locale.ROOT, "%.0f [%.0f–%.0f]", sorted.get(sorted.size() / 2), sorted.getFirst(),
                sorted.getLast());
    }

    /** Runs the comparison; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("rounds", "3", "warmup", "5", "measure", "2",
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
                case "default" -> suites.addAll(List.of("netpoll", "yamux", "yamux2"));
                case "all" -> suites.addAll(List.of("netpoll", "yamux", "yamux2", "tls"));
                case "netpoll", "yamux", "yamux2", "tls" -> suites.add(name.trim());
                default -> throw new IllegalArgumentException("unknown suite " + name
                        + "; one of default, all, netpoll, yamux, yamux2, tls");
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
        if (suites.contains("yamux2")) {
            tables.add(yamux2Table());
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
        int cells = tables.stream().mapToInt(t -> cells(t).stream()
                .mapToInt(rows -> (int) t.columns().keySet().stream().filter(rows.getFirst()::appliesTo).count())
                .sum()).sum() * rounds;
        log("%d cells, about %.0f s of measuring plus process start-up and JIT warm-up%s", cells,
                cells * (warmup + measure),
                suites.contains("yamux2") ? " (plus opening streams in the idle-memory cells)" : "");
        Map<String, List<Map<String, Double>>> latencies = new LinkedHashMap<>(); // variant -> lub results
        List<Double> warmups = new ArrayList<>(); // Java cells: seconds of warm-up
        List<Double> jitMillis = new ArrayList<>(); // Java cells: JIT ms in the window
        long startNanos = System.nanoTime();
        String goVersion = "not built";
        for (int round = 1; round <= rounds; round++) {
            loads.add(Machine.loadAverages().split(" ")[0]);
            for (Report.Table table : tables) {
                List<String> variants = new ArrayList<>(table.columns().keySet());
                for (List<Report.Row> cellRows : cells(table)) {
                    Report.Row row = cellRows.getFirst();
                    for (int i = 0; i < variants.size(); i++) {
                        String variant = variants.get((i + round - 1) % variants.size()); // rotate each round
                        if (!row.appliesTo(variant)) {
                            continue;
                        }
                        Launcher.Outcome outcome;
                        if (row.suite().equals("netpoll") || row.suite().equals("tls-net")) {
                            String[] key = row.key().split("-");
                            // TLS cells use heap buffers: the JDK's SSLSocket takes arrays.
                            outcome = launcher.netCell(variant, key[0], Integer.parseInt(key[1]), warmup, measure,
                                    heap || row.suite().equals("tls-net"));
                        } else {
                            outcome = launcher.muxCell(variant, row.cell(), warmup, measure);
                        }
                        if (outcome.ok() && variant.startsWith("go-")) {
                            goVersion = outcome.runtime();
                        }
                        if (outcome.ok() && outcome.metrics().containsKey("jitMs")) {
                            warmups.add(outcome.metrics().get("warmup"));
                            jitMillis.add(outcome.metrics().get("jitMs"));
                        }
                        if (outcome.ok() && row.cell().equals("lub")) {
                            latencies.computeIfAbsent(variant, k -> new ArrayList<>()).add(outcome.metrics());
                        }
                        for (Report.Row shown : cellRows) {
                            Launcher.Outcome figure = outcome.metric(shown.metric(), shown.unit());
                            report.add(shown, variant, round, figure);
                            if (figure.ok() && !figure.tls().isEmpty()) {
                                negotiated.computeIfAbsent(table.columns().get(variant), k -> new TreeSet<>())
                                        .add(figure.tls());
                            }
                            raw.add(String.format(Locale.ROOT,
                                    "{\"round\":%d,\"row\":\"%s\",\"variant\":\"%s\",\"value\":%s,\"unit\":\"%s\","
                                            + "\"cpu\":%s,\"warmup\":%s,\"jitMs\":%s,\"load1m\":%.2f,\"error\":%s}",
                                    round, shown.key(), variant, figure.ok() ? Double.toString(figure.value()) : "null",
                                    figure.unit(), Double.isNaN(figure.cpu()) ? "null" : Double.toString(figure.cpu()),
                                    jsonNumber(outcome.metrics().get("warmup")),
                                    jsonNumber(outcome.metrics().get("jitMs")),
                                    Machine.loadAverage1m(), figure.ok() ? "null"
                                            : "\"" + figure.error().replace("\\", "/").replace("\"", "'") + "\""));
                            log("round %d/%d  %-34s %-12s %s", round, rounds, shown.label(), variant, figure.ok()
                                    ? Report.format(figure.value(), shown.lowerIsBetter()) + " " + figure.unit()
                                            + (Double.isNaN(figure.cpu()) ? "" : String.format(Locale.ROOT,
                                                    " (process CPU %.2f cores)", figure.cpu()))
                                    : figure.unavailable() ? figure.error() : "FAILED: " + figure.error());
                        }
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
        if (!warmups.isEmpty()) {
            md.append(String.format(Locale.ROOT,
                    "- Java cells warm up until their JIT is quiet (< %d ms compiling in %d s): warm-up %s s; "
                            + "JIT compiling during the window %s ms (median [min–max] over %d cells).%n",
                    Measurement.JIT_QUIET_MILLIS, Measurement.JIT_PROBE.toSeconds(), spread(warmups),
                    spread(jitMillis), warmups.size()));
        }
        md.append("- Child JVMs: `").append(options.get("jvm")).append("`; netpoll loops use ")
                .append(heap ? "heap" : "direct").append(" buffers.\n");
        if (suites.contains("yamux2")) {
            md.append("- yamux2: idle-memory cells run both Java ends with `")
                    .append(String.join(" ", Launcher.MEMORY_JVM_FLAGS))
                    .append("` (no fixed, pre-touched heap, so RSS follows the heap); a reader per idle stream is a "
                            + "virtual thread (Java) or a goroutine (Go). Latency percentiles: log-linear histogram, "
                            + "≤ 3 % above the true value; plot in `latency-under-bulk.svg` beside this table.\n");
        }
        md.append('\n');
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
        if (!latencies.isEmpty()) {
            Path svg = out.resolveSibling("latency-under-bulk.svg");
            Files.writeString(svg, LatencyPlot.render(LatencyPlot.medians(latencies), yamux2Table().columns(),
                    "64 B round trips beside one bulk stream of the same session (loopback; median of "
                            + rounds + " round(s), " + started + ")"));
            log("latency plot written to %s", svg);
        }
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

    /**
     * The issue 12 cells: latency under bulk, 8-stream bulk, churn, platform-thread round trips
     * and idle memory, Weft yamux vs Go yamux, with raw TCP where it applies.
     */
    static Report.Table yamux2Table() {
        String s = "yamux2";
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("weft-yamux", "Weft yamux");
        columns.put("go-yamux", "Go yamux");
        columns.put("weft-raw", "Weft raw TCP");
        columns.put("go-raw", "Go raw TCP");
        List<String> mux = List.of("weft-yamux", "go-yamux");
        String w = "weft-yamux";
        String g = "go-yamux";
        String lub = "latency under bulk: 64 B round trips beside one bulk stream";
        List<Report.Row> rows = new ArrayList<>(List.of(
                new Report.Row(s, "lub-rate", lub + " (rt/s, higher is better)", w, g, 1.0, "lub", "value", "rt/s",
                        false, List.of()),
                new Report.Row(s, "lub-p50", "… round trip p50 (µs, lower is better)", w, g, Double.NaN, "lub", "p50",
                        "µs", true, List.of()),
                new Report.Row(s, "lub-p99", "… round trip p99 (µs, lower is better)", w, g, 1.0, "lub", "p99", "µs",
                        true, List.of()),
                new Report.Row(s, "lub-bulk", "… the bulk stream meanwhile (MB/s, higher is better)", w, g, 1.0, "lub",
                        "bulk", "MB/s", false, List.of()),
                new Report.Row(s, "bulk8", "bulk, 8 streams, 64 KiB writes (MB/s, higher is better)", w, g, 1.2,
                        "bulk8", "value", "MB/s", false, List.of()),
                new Report.Row(s, "churn", "stream churn: open, 1 KiB echo, close; 16 at a time (streams/s, higher "
                        + "is better)", w, g, 1.2, "churn", "value", "streams/s", false, mux),
                new Report.Row(s, "rr-platform", "64 B request/response, Java client on a platform thread (rt/s, "
                        + "higher is better)", w, g, 1.2, "rr-platform", "value", "rt/s", false, List.of())));
        for (int streams : new int[] {10_000, 100_000}) {
            String cell = "idle-" + streams;
            String n = String.format(Locale.ROOT, "%,d", streams);
            rows.add(new Report.Row(s, cell + "-rss", n + " idle streams, a blocked reader each: server RSS per "
                    + "stream (KiB, lower is better)", w, g, 1.0, cell, "value", "KiB", true, mux));
            rows.add(new Report.Row(s, cell + "-heap", "… heap per idle stream after a full GC, before the readers "
                    + "(KiB, lower is better; goal ≤ 1 KiB)", w, g, Double.NaN, cell, "heap", "KiB", true, mux));
        }
        return new Report.Table("yamux2 (issue 12): one session, loopback TCP, client and server in separate "
                + "processes (Java: Weft netpoll epoll, virtual threads unless stated; Go: hashicorp/yamux); raw TCP: "
                + "a connection per stream", rows, columns,
                List.<String[]>of(new String[] {"weft-yamux", "weft-raw"}, new String[] {"go-yamux", "go-raw"}));
    }

    /** The rows of {@code table} grouped by the cell they come from, in table order. */
    static List<List<Report.Row>> cells(Report.Table table) {
        Map<String, List<Report.Row>> byCell = new LinkedHashMap<>();
        for (Report.Row row : table.rows()) {
            byCell.computeIfAbsent(row.cell(), k -> new ArrayList<>()).add(row);
        }
        return List.copyOf(byCell.values());
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

package io.weft.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the processes of one cell (a {@link NetBench} JVM, or a server and a client process of
 * {@link MuxPeer} or the Go peer), enforces a time limit on each, and turns the client's JSON line
 * into an {@link Outcome}. Every process's stderr goes to a log file under {@code logDir}. Used
 * from the orchestrator's main thread; each process's stdout is read on a virtual thread.
 */
final class Launcher {

    /**
     * What a cell produced: a value per second, or an error saying why there is none; {@code tls}
     * is what a TLS cell negotiated, or empty.
     */
    record Outcome(double value, String unit, double cpu, String runtime, String error, String tls,
            Map<String, Double> metrics) {
        Outcome(double value, String unit, double cpu, String runtime, String error) {
            this(value, unit, cpu, runtime, error, "", Map.of());
        }

        Outcome(double value, String unit, double cpu, String runtime, String error, String tls) {
            this(value, unit, cpu, runtime, error, tls, Map.of());
        }

        /**
         * This outcome with the secondary figure {@code name} of its JSON line (e.g. {@code p99})
         * as its value in {@code unit}; {@code value} gives this outcome itself. A failed outcome
         * stays failed; a missing figure fails.
         */
        Outcome metric(String name, String unit) {
            if (name.equals("value") || !ok()) {
                return this;
            }
            Double figure = metrics.get(name);
            return figure == null || figure.isNaN()
                    ? failed("no \"" + name + "\" in the cell's result")
                    : new Outcome(figure, unit, cpu, runtime, null, tls, metrics);
        }

        static Outcome failed(String error) {
            return new Outcome(Double.NaN, "", Double.NaN, "", error);
        }

        /** A cell that cannot run in this build or on this machine (as opposed to one that failed). */
        static Outcome unavailable(String why) {
            return new Outcome(Double.NaN, "", Double.NaN, "", UNAVAILABLE + why);
        }

        boolean ok() {
            return error == null;
        }

        boolean unavailable() {
            return error != null && error.startsWith(UNAVAILABLE);
        }
    }

    private static final String UNAVAILABLE = "n/a: ";

    /**
     * JVM flags of both ends of an idle-memory cell: no pre-touched fixed heap (the server's RSS
     * would not move with the streams), room for 100,000 streams and their readers.
     */
    static final List<String> MEMORY_JVM_FLAGS = List.of("-Xmx2g", "-XX:+UseG1GC", "--enable-native-access=ALL-UNNAMED");

    private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\":(-?[0-9][-0-9.eE]*)");
    private static final Pattern TEXT = Pattern.compile("\"(unit|runtime|tls)\":\"([^\"]*)\"");

    private final Path javaBinary;
    private final String classPath;
    private final List<String> jvmFlags;
    private final Path goBinary;
    private final Path logDir;
    private BenchTls.Material tls;
    private int sequence;

    Launcher(Path javaBinary, String classPath, List<String> jvmFlags, Path goBinary, Path logDir) throws IOException {
        this.javaBinary = javaBinary;
        this.classPath = classPath;
        this.jvmFlags = List.copyOf(jvmFlags);
        this.goBinary = goBinary;
        this.logDir = Files.createDirectories(logDir);
        try (var old = Files.newDirectoryStream(logDir, "*.log")) { // a previous run's logs would mislead
            for (Path log : old) {
                Files.deleteIfExists(log);
            }
        }
    }

    /** The certificate and key of the TLS cells; without them TLS cells read n/a. */
    void useTls(BenchTls.Material material) {
        this.tls = material;
    }

    /** Whether the Go peer binary exists. */
    boolean hasGo() {
        return goBinary != null && Files.isExecutable(goBinary);
    }

    /** One {@link NetBench} cell in a fresh JVM. */
    Outcome netCell(String variant, String workload, int connections, double warmupSeconds, double measureSeconds,
            boolean heap) {
        List<String> command = java("io.weft.bench.NetBench");
        command.addAll(List.of(variant, workload, Integer.toString(connections), num(warmupSeconds),
                num(measureSeconds)));
        if (heap) {
            command.add("heap");
        }
        if (variant.contains("tls")) {
            if (tls == null) {
                return Outcome.unavailable("no TLS certificate (keytool failed; see bench/target/tls/keytool.log)");
            }
            command.addAll(List.of("--tls", tls.p12().toString()));
        }
        return client(command, "net-" + variant + "-" + workload + "-" + connections,
                (long) (warmupSeconds + measureSeconds) + 50);
    }

    /**
     * One yamux-table cell: {@code impl} is {@code weft-yamux}, {@code weft-raw} (Java processes
     * over Weft netpoll TCP with the epoll poller) or {@code go-yamux}, {@code go-raw} (the Go
     * peer), each optionally with {@code -tls} appended (the same over TLS: Weft's {@code TlsConn},
     * Go's crypto/tls); {@code workload} is {@code bulk} or {@code rr}, or one of the
     * {@code yamux2} suite: {@code lub}, {@code bulk8}, {@code churn}, {@code rr-platform} (the
     * Java client's loop on a platform thread; Go has only goroutines) or {@code idle-N} (N idle
     * streams; the server measures; both Java ends run with {@link #MEMORY_JVM_FLAGS} instead of the
     * usual heap flags, so that the server's RSS follows its heap and 100,000 streams fit).
     */
    Outcome muxCell(String impl, String workload, double warmupSeconds, double measureSeconds) {
        boolean go = impl.startsWith("go-");
        if (go && !hasGo()) {
            return Outcome.unavailable("the Go peer is not built (needs go and hashicorp/yamux in GOPATH)");
        }
        boolean secure = impl.endsWith("-tls");
        if (secure && tls == null) {
            return Outcome.unavailable("no TLS certificate (keytool failed; see bench/target/tls/keytool.log)");
        }
        String base = secure ? impl.substring(0, impl.length() - "-tls".length()) : impl;
        String mux = base.substring(base.indexOf('-') + 1);
        String name = "mux-" + impl + "-" + workload;
        boolean platformClient = workload.equals("rr-platform");
        int idleStreams = workload.startsWith("idle-") ? Integer.parseInt(workload.substring("idle-".length())) : 0;
        if (platformClient) {
            workload = "rr";
        } else if (idleStreams > 0) {
            workload = "idle";
        }
        List<String> common = new ArrayList<>(List.of("-mux", mux, "-workload", workload));
        if (idleStreams > 0) {
            common.addAll(List.of("-streams", Integer.toString(idleStreams)));
        }
        if (secure) {
            common.addAll(go ? List.of("-tls", tls.certPem() + "," + tls.keyPem()) : List.of("-tls", tls.p12().toString()));
        }
        List<String> server = go ? new ArrayList<>(List.of(goBinary.toString(), "-role", "server"))
                : idleStreams > 0 ? java("io.weft.bench.MuxPeer", MEMORY_JVM_FLAGS) : java("io.weft.bench.MuxPeer");
        server.addAll(go ? common : dashes(common));
        server.addAll(go ? List.of("-listen", "127.0.0.1:0") : List.of("--role", "server", "--listen", "127.0.0.1:0"));
        Path serverLog = log(name + "-server");
        Process serverProcess;
        String address;
        try {
            serverProcess = start(server, serverLog);
        } catch (IOException e) {
            return Outcome.failed("server did not start: " + e.getMessage());
        }
        try {
            BufferedReader serverOut = new BufferedReader(
                    new InputStreamReader(serverProcess.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> listening = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    listening.complete(serverOut.readLine());
                    serverOut.transferTo(java.io.Writer.nullWriter());
                } catch (IOException e) {
                    listening.completeExceptionally(e);
                }
            });
            String line = listening.get(30, TimeUnit.SECONDS);
            if (line == null || !line.startsWith("LISTEN ")) {
                return Outcome.failed("server said " + line + ": " + lastLine(serverLog));
            }
            address = line.substring("LISTEN ".length()).trim();
            List<String> client = go ? new ArrayList<>(List.of(goBinary.toString(), "-role", "client"))
                    : idleStreams > 0 ? java("io.weft.bench.MuxPeer", MEMORY_JVM_FLAGS) : java("io.weft.bench.MuxPeer");
            client.addAll(go ? common : dashes(common));
            client.addAll(go
                    ? List.of("-addr", address, "-warmup", num(warmupSeconds) + "s", "-measure", num(measureSeconds) + "s",
                            "-impl", impl)
                    : List.of("--role", "client", "--addr", address, "--warmup", num(warmupSeconds),
                            "--measure", num(measureSeconds), "--impl", impl));
            if (platformClient && !go) {
                client.addAll(List.of("--threads", "platform"));
            }
            // An idle cell opens its streams and has the server collect garbage: no warm-up or window.
            long timeout = idleStreams > 0 ? 60 + idleStreams / 1000 : (long) (warmupSeconds + measureSeconds) + 40;
            return client(client, name + "-client", timeout);
        } catch (Exception e) {
            return Outcome.failed("server did not report its address: " + e);
        } finally {
            try {
                if (!serverProcess.waitFor(5, TimeUnit.SECONDS)) {
                    serverProcess.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Outcome client(List<String> command, String name, long timeoutSeconds) {
        Path logFile = log(name);
        Process process;
        try {
            process = start(command, logFile);
        } catch (IOException e) {
            return Outcome.failed("did not start: " + e.getMessage());
        }
        CompletableFuture<List<String>> output = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                output.complete(out.lines().toList());
            } catch (IOException | RuntimeException e) {
                output.completeExceptionally(e);
            }
        });
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return Outcome.failed("timed out after " + timeoutSeconds + " s (see " + logFile + ")");
            }
            String json = output.get(5, TimeUnit.SECONDS).stream().filter(l -> l.startsWith("{"))
                    .reduce((a, b) -> b).orElse(null);
            if (process.exitValue() != 0 || json == null) {
                return Outcome.failed("exit " + process.exitValue() + ": " + lastLine(logFile));
            }
            return parse(json);
        } catch (Exception e) {
            process.destroyForcibly();
            return Outcome.failed(e.toString());
        }
    }

    static Outcome parse(String json) {
        double value = Double.NaN;
        double cpu = Double.NaN;
        String unit = "";
        String runtime = "";
        String tls = "";
        Map<String, Double> metrics = new HashMap<>();
        for (Matcher m = NUMBER.matcher(json); m.find(); ) {
            double number = Double.parseDouble(m.group(2));
            switch (m.group(1)) {
                case "value" -> value = number;
                case "cpu" -> cpu = number;
                default -> metrics.put(m.group(1), number);
            }
        }
        for (Matcher m = TEXT.matcher(json); m.find(); ) {
            switch (m.group(1)) {
                case "unit" -> unit = m.group(2);
                case "tls" -> tls = m.group(2);
                default -> runtime = m.group(2);
            }
        }
        return Double.isNaN(value) ? Outcome.failed("no value in " + json)
                : new Outcome(value, unit, cpu, runtime, null, tls, Map.copyOf(metrics));
    }

    private List<String> java(String mainClass) {
        return java(mainClass, jvmFlags);
    }

    private List<String> java(String mainClass, List<String> flags) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary.toString());
        command.addAll(flags);
        command.addAll(List.of("-cp", classPath, mainClass));
        return command;
    }

    private Process start(List<String> command, Path logFile) throws IOException {
        return new ProcessBuilder(command).redirectError(logFile.toFile()).start();
    }

    private Path log(String name) {
        return logDir.resolve(String.format(Locale.ROOT, "%03d-%s.log", sequence++ % 1000, name));
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.stream().filter(l -> l.startsWith("watchdog") || l.contains("Exception") || l.contains("rror"))
                    .findFirst().orElse(lines.isEmpty() ? "(no output) " + log : lines.getLast());
        } catch (IOException e) {
            return "(see " + log + ")";
        }
    }

    private static List<String> dashes(List<String> goFlags) {
        return goFlags.stream().map(f -> f.startsWith("-") ? "-" + f : f).toList();
    }

    private static String num(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }
}

package io.weft.yamux.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Weft's Go test peer (hashicorp/yamux, the program in {@code yamux/src/test/go/weftpeer}) run as a
 * subprocess, for interop tests in any module that depends on the yamux test-jar.
 *
 * <p>The program is built once per JVM and {@link Library} (and reused across JVMs while it is newer
 * than its source) into {@code yamux/target/weftpeer/}, in Go's GOPATH mode against Debian's
 * {@code golang-github-hashicorp-yamux-dev} ({@link Library#HASHICORP}, what the methods without a
 * library use) or {@code golang-github-influxdata-yamux-dev} ({@link Library#INFLUXDATA}). When
 * {@code go} or the yamux source is missing the calling test is skipped with a message, unless the
 * environment variable {@code WEFT_REQUIRE_GO=1} (set by CI) is present: then it fails. A Go compile
 * error always fails. {@link JsPeer} runs the JavaScript peer with this class's process handling.
 *
 * <p>Modes and flags are documented in the Go source header; the usual ones:
 *
 * <pre>{@code
 * try (GoPeer server = GoPeer.startServer("echo")) {          // waits for "listening HOST:PORT"
 *     Session s = Session.client(Net.dial("tcp", server.address()), YamuxConfig.defaults());
 *     ...
 * }
 * try (GoPeer client = GoPeer.start("echo-client", "-addr", addr, "-streams", "10")) {
 *     client.assertSucceeds(Duration.ofSeconds(30));           // exit 0, else stderr in the message
 * }
 * }</pre>
 *
 * <p>Threads: one instance may be used from any thread; two virtual threads per process drain its
 * stdout and stderr (only stderr for {@link #startStdio}, whose stdin and stdout belong to the
 * caller). {@link #close()} kills the process and waits for it.
 */
public final class GoPeer implements AutoCloseable {

    /** Environment variable that turns a missing Go toolchain into a failure instead of a skip. */
    public static final String REQUIRE_GO_ENV = "WEFT_REQUIRE_GO";

    /** The yamux library a Go peer is built against; both are Debian packages in GOPATH layout. */
    public enum Library {
        /** hashicorp/yamux, Debian's 2019 snapshot. */
        HASHICORP("github.com/hashicorp/yamux", "golang-github-hashicorp-yamux-dev", "weftpeer"),
        /**
         * influxdata/yamux, Debian's 2017 fork of hashicorp/yamux. The peer's source imports
         * hashicorp's path; the build points that path at the fork in a private GOPATH.
         */
        INFLUXDATA("github.com/influxdata/yamux", "golang-github-influxdata-yamux-dev", "weftpeer-influxdata");

        final String importPath;
        final String debianPackage;
        final String binaryName;

        Library(String importPath, String debianPackage, String binaryName) {
            this.importPath = importPath;
            this.debianPackage = debianPackage;
            this.binaryName = binaryName;
        }
    }

    private static final String SOURCE = "yamux/src/test/go/weftpeer/main.go";
    private static final String SOURCE_IMPORT = "github.com/hashicorp/yamux";
    private static final String DEBIAN_GOPATH = "/usr/share/gocode";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(30);

    private static final ReentrantLock BUILD_LOCK = new ReentrantLock();
    private static final Map<Library, Path> BUILT = new java.util.EnumMap<>(Library.class); // guarded by BUILD_LOCK
    // guarded by BUILD_LOCK; set when go or the library is missing
    private static final Map<Library, String> UNAVAILABLE = new java.util.EnumMap<>(Library.class);

    private final Process process;
    private final List<String> command;
    private final String label;
    private final ReentrantLock outputLock = new ReentrantLock();
    private final Condition outputChanged = outputLock.newCondition();
    private final StringBuilder stdout = new StringBuilder(); // guarded by outputLock
    private final StringBuilder stderr = new StringBuilder(); // guarded by outputLock
    private String listenAddress; // guarded by outputLock

    private GoPeer(Process process, List<String> command, String label, boolean captureStdout) {
        this.process = process;
        this.command = command;
        this.label = label;
        if (captureStdout) {
            drain(process.getInputStream(), stdout);
        }
        drain(process.getErrorStream(), stderr);
    }

    /**
     * Returns the built peer program, building it on first use. Skips the calling test when Go
     * is unavailable (fails instead when {@code WEFT_REQUIRE_GO=1}).
     */
    public static Path binary() {
        return binary(Library.HASHICORP);
    }

    /** As {@link #binary()}, built against {@code library}. */
    public static Path binary(Library library) {
        BUILD_LOCK.lock();
        try {
            if (!BUILT.containsKey(library) && !UNAVAILABLE.containsKey(library)) {
                try {
                    BUILT.put(library, build(library));
                } catch (GoUnavailable e) {
                    UNAVAILABLE.put(library, e.getMessage());
                } catch (IOException e) {
                    throw new UncheckedIOException("building the Go peer failed", e);
                }
            }
            if (BUILT.containsKey(library)) {
                return BUILT.get(library);
            }
            unavailable("Go interop peer (" + library.importPath + ") unavailable: " + UNAVAILABLE.get(library),
                    "golang-go and " + library.debianPackage);
            throw new AssertionError("unreachable");
        } finally {
            BUILD_LOCK.unlock();
        }
    }

    /**
     * Skips the calling test with {@code message}, or fails it when {@code WEFT_REQUIRE_GO=1};
     * {@code install} names what to install.
     */
    static void unavailable(String message, String install) {
        if ("1".equals(System.getenv(REQUIRE_GO_ENV))) {
            throw new AssertionError(message + " (" + REQUIRE_GO_ENV + "=1, so this is a failure; install " + install + ")");
        }
        Assumptions.abort(message + " — test skipped; set " + REQUIRE_GO_ENV + "=1 to make this fail");
    }

    /** Starts {@code weftpeer MODE ARGS...} with stdout and stderr captured. */
    public static GoPeer start(String mode, String... args) throws IOException {
        return launch(true, mode, args);
    }

    /** As {@link #start(String, String...)}, with the peer built against {@code library}. */
    public static GoPeer start(Library library, String mode, String... args) throws IOException {
        return launch(library, true, mode, args);
    }

    /** As {@link #startServer(String, String...)}, with the peer built against {@code library}. */
    public static GoPeer startServer(Library library, String mode, String... args) throws IOException {
        GoPeer peer = launch(library, true, mode, withListen(args));
        peer.awaitListening(LISTEN_TIMEOUT);
        return peer;
    }

    /**
     * Runs any peer program with this class's output capture ({@code label} names it in failure
     * messages); with {@code server} waits for its {@code listening HOST:PORT} line.
     */
    static GoPeer exec(String label, List<String> command, boolean server) throws IOException {
        Process process = new ProcessBuilder(command).start();
        GoPeer peer = new GoPeer(process, List.copyOf(command), label, true);
        if (server) {
            peer.awaitListening(LISTEN_TIMEOUT);
        }
        return peer;
    }

    private static String[] withListen(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("-listen")) {
            all.add(0, "127.0.0.1:0");
            all.add(0, "-listen");
        }
        return all.toArray(String[]::new);
    }

    /**
     * Starts a server mode ({@code echo}, {@code bench-server}, ...) on {@code 127.0.0.1:0} unless
     * {@code -listen} is given, and waits until it prints its listening address.
     */
    public static GoPeer startServer(String mode, String... args) throws IOException {
        GoPeer peer = launch(true, mode, withListen(args));
        peer.awaitListening(LISTEN_TIMEOUT);
        return peer;
    }

    /**
     * Starts {@code weftpeer stdio ARGS...}: the yamux session runs over the process's stdin and
     * stdout, which the caller uses through {@link #stdin()} and {@link #stdoutStream()}; only
     * stderr is captured. With {@code -l} call {@link #awaitListening} before connecting.
     */
    public static GoPeer startStdio(String... args) throws IOException {
        return launch(false, "stdio", args);
    }

    private static GoPeer launch(boolean captureStdout, String mode, String... args) throws IOException {
        return launch(Library.HASHICORP, captureStdout, mode, args);
    }

    private static GoPeer launch(Library library, boolean captureStdout, String mode, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binary(library).toString());
        command.add(mode);
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        String label = library == Library.HASHICORP ? "Go peer" : "Go peer (" + library.importPath + ")";
        return new GoPeer(process, List.copyOf(command), label, captureStdout);
    }

    /**
     * Waits until the peer prints {@code listening HOST:PORT} (stdout, or stderr for stdio mode).
     *
     * @return the address, e.g. {@code 127.0.0.1:40123}
     * @throws AssertionError if the process exits first or the timeout passes
     */
    public String awaitListening(Duration timeout) {
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        outputLock.lock();
        try {
            while (listenAddress == null) {
                long leftNanos = deadlineNanos - System.nanoTime();
                if (!process.isAlive() && listenAddress == null) {
                    // Let the drainers finish so the message has the whole stderr.
                    outputChanged.awaitNanos(TimeUnit.MILLISECONDS.toNanos(200));
                    if (listenAddress == null) {
                        throw new AssertionError(describe("exited before listening"));
                    }
                }
                if (leftNanos <= 0) {
                    throw new AssertionError(describe("not listening after " + timeout));
                }
                outputChanged.awaitNanos(Math.min(leftNanos, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return listenAddress;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the Go peer", e);
        } finally {
            outputLock.unlock();
        }
    }

    /** The address printed by a server mode ({@code HOST:PORT}); waits for it like {@link #awaitListening}. */
    public String address() {
        return awaitListening(LISTEN_TIMEOUT);
    }

    /** {@link #address()} as a socket address. */
    public InetSocketAddress socketAddress() {
        String address = address();
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(address.substring(colon + 1)));
    }

    /**
     * Waits for the process to exit.
     *
     * @return its exit code
     * @throws AssertionError if it is still running after {@code timeout} (it is then killed)
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(describe("still running after " + timeout + "; killed"));
            }
            awaitDrained();
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the Go peer", e);
        }
    }

    /**
     * Waits for the process to exit with code 0 and returns its stdout.
     *
     * @throws AssertionError with the command and stderr otherwise
     */
    public String assertSucceeds(Duration timeout) {
        int code = awaitExit(timeout);
        if (code != 0) {
            throw new AssertionError(describe("exited with code " + code));
        }
        return stdout();
    }

    /** Everything the process printed on stdout so far (empty for stdio mode). */
    public String stdout() {
        outputLock.lock();
        try {
            return stdout.toString();
        } finally {
            outputLock.unlock();
        }
    }

    /** Everything the process printed on stderr so far. */
    public String stderr() {
        outputLock.lock();
        try {
            return stderr.toString();
        } finally {
            outputLock.unlock();
        }
    }

    /** The last stdout line that looks like a JSON object, parsed shallowly into strings. */
    public Map<String, String> jsonResult() {
        return stdout().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .map(GoPeer::parseFlatJson)
                .orElseThrow(() -> new AssertionError(describe("printed no JSON result")));
    }

    /** The process's stdin (the yamux transport in stdio mode). */
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    /** The process's stdout (the yamux transport in stdio mode; drained by this class otherwise). */
    public InputStream stdoutStream() {
        return process.getInputStream();
    }

    /** The underlying process. */
    public Process process() {
        return process;
    }

    /** Kills the process (if still running) and waits for it to end. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return label + command.subList(1, command.size());
    }

    private String describe(String what) {
        return label + " " + command.subList(1, command.size()) + " " + what + "\n--- stdout:\n" + stdout()
                + "--- stderr:\n" + stderr();
    }

    private void drain(InputStream in, StringBuilder sink) {
        Thread.ofVirtual().name("weftpeer-output").start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    append(sink, line);
                }
            } catch (IOException e) {
                // The process was killed: nothing more to read.
            } finally {
                outputLock.lock();
                try {
                    openDrainers--;
                    outputChanged.signalAll();
                } finally {
                    outputLock.unlock();
                }
            }
        });
        outputLock.lock();
        try {
            openDrainers++;
        } finally {
            outputLock.unlock();
        }
    }

    private int openDrainers; // guarded by outputLock

    private void append(StringBuilder sink, String line) {
        outputLock.lock();
        try {
            sink.append(line).append('\n');
            if (listenAddress == null && line.startsWith("listening ")) {
                listenAddress = line.substring("listening ".length()).trim();
            }
            outputChanged.signalAll();
        } finally {
            outputLock.unlock();
        }
    }

    private void awaitDrained() throws InterruptedException {
        long deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        outputLock.lock();
        try {
            while (openDrainers > 0 && deadlineNanos - System.nanoTime() > 0) {
                outputChanged.awaitNanos(deadlineNanos - System.nanoTime());
            }
        } finally {
            outputLock.unlock();
        }
    }

    static Map<String, String> parseFlatJson(String json) {
        // The peer prints flat objects of numbers, booleans, strings and number arrays.
        Map<String, String> result = new java.util.LinkedHashMap<>();
        String body = json.trim();
        body = body.substring(1, body.length() - 1);
        int i = 0;
        while (i < body.length()) {
            int keyStart = body.indexOf('"', i);
            if (keyStart < 0) {
                break;
            }
            int keyEnd = body.indexOf('"', keyStart + 1);
            String key = body.substring(keyStart + 1, keyEnd);
            int valueStart = body.indexOf(':', keyEnd) + 1;
            int valueEnd;
            char first = body.charAt(valueStart);
            if (first == '"') {
                valueEnd = body.indexOf('"', valueStart + 1) + 1;
            } else if (first == '[') {
                valueEnd = body.indexOf(']', valueStart) + 1;
            } else {
                int comma = body.indexOf(',', valueStart);
                valueEnd = comma < 0 ? body.length() : comma;
            }
            String value = body.substring(valueStart, valueEnd).trim();
            if (value.startsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            result.put(key, value);
            i = valueEnd;
        }
        return result;
    }

    // ---- building ----

    private static final class GoUnavailable extends Exception {
        GoUnavailable(String message) {
            super(message);
        }
    }

    private static Path build(Library library) throws IOException, GoUnavailable {
        Path source = findSource();
        Path go = findGo().orElseThrow(() -> new GoUnavailable("no `go` executable on PATH or in /usr/lib/go/bin"));
        List<String> debianGopath = gopathEntries();
        Path packageDir = debianGopath.stream().map(p -> Path.of(p, "src", library.importPath)).filter(Files::isDirectory)
                .findFirst().orElseThrow(() -> new GoUnavailable(library.importPath + " source not found under GOPATH " + debianGopath));
        List<String> gopath = debianGopath;
        Path outDir = source.getParent().getParent().getParent().getParent().getParent()
                .resolve("target").resolve("weftpeer");
        if (!library.importPath.equals(SOURCE_IMPORT)) {
            // A private GOPATH whose github.com/hashicorp/yamux is the fork: same source, other library.
            Path alias = outDir.resolve("gopath-" + library.name().toLowerCase(java.util.Locale.ROOT))
                    .resolve("src").resolve(SOURCE_IMPORT);
            Files.createDirectories(alias.getParent());
            if (!Files.isSymbolicLink(alias)) {
                try {
                    Files.createSymbolicLink(alias, packageDir);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // another JVM made it meanwhile
                }
            }
            gopath = List.of(alias.getParent().getParent().getParent().getParent().toString());
        }
        Path binary = outDir.resolve(library.binaryName);
        if (Files.isExecutable(binary)
                && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) > 0) {
            return binary;
        }
        Files.createDirectories(outDir);
        Path temp = Files.createTempFile(outDir, "weftpeer-", ".tmp");
        Path cache = outDir.resolve("gocache");
        ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-o", temp.toString(), source.toString())
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("GO111MODULE", "off");
        env.put("GOPATH", String.join(":", gopath));
        env.put("GOCACHE", cache.toString());
        env.put("GOFLAGS", "");
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("go build did not finish within " + BUILD_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the Go peer", e);
        }
        if (process.exitValue() != 0) {
            Files.deleteIfExists(temp);
            throw new IOException("go build of " + source + " failed:\n" + output);
        }
        // Atomic replace, so concurrent JVMs never run a half-written binary.
        Files.move(temp, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return binary;
    }

    private static Path findSource() throws GoUnavailable {
        String override = System.getProperty("weft.goPeerSource");
        if (override != null) {
            return Path.of(override).toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(SOURCE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new GoUnavailable("cannot find " + SOURCE + " above " + Path.of("").toAbsolutePath());
    }

    private static Optional<Path> findGo() {
        List<Path> candidates = new ArrayList<>();
        String goroot = System.getenv("GOROOT");
        if (goroot != null) {
            candidates.add(Path.of(goroot, "bin", "go"));
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "go"));
                }
            }
        }
        candidates.add(Path.of("/usr/lib/go/bin/go"));
        candidates.add(Path.of("/usr/local/go/bin/go"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    private static List<String> gopathEntries() {
        String fromEnv = System.getenv("GOPATH");
        Stream<String> entries = fromEnv == null ? Stream.empty() : Stream.of(fromEnv.split(":"));
        return Stream.concat(entries, Stream.of(DEBIAN_GOPATH)).filter(s -> !s.isBlank()).distinct().toList();
    }
}

package io.weft.yamux.hostile;

import io.weft.yamux.interop.GoPeer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A victim in a process of its own, so its RSS is its own: Weft ({@link HostileVictimMain}, on this
 * test's class path) or hashicorp/yamux ({@code yamux/src/test/go/hostilevictim}, built in Go's
 * GOPATH mode against Debian's {@code golang-github-hashicorp-yamux-dev} as the interop peer is).
 * Both print {@code listening ECHO stats STATS} and answer the same stats protocol.
 *
 * <p>When Go or the yamux source is missing the calling test is skipped, or fails with
 * {@code WEFT_REQUIRE_GO=1}. Thread-safe; {@link #close()} kills the process.
 */
final class ChildVictim implements Victim {

    private static final Pattern LISTENING = Pattern.compile("listening (\\S+):(\\d+) stats (\\S+):(\\d+)");
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(-?\\d+)");
    private static final String GO_SOURCE = "yamux/src/test/go/hostilevictim/main.go";

    private final String name;
    private final Process process;
    private final InetSocketAddress echo;
    private final InetSocketAddress stats;

    private ChildVictim(String name, List<String> command) throws IOException {
        this.name = name;
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        Matcher m = line == null ? null : LISTENING.matcher(line);
        if (m == null || !m.find()) {
            process.destroyForcibly();
            throw new IOException(name + " victim did not start: " + line);
        }
        echo = new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
        stats = new InetSocketAddress(m.group(3), Integer.parseInt(m.group(4)));
    }

    /** Weft's echo victim in a fresh JVM, started as the {@code weft} launcher starts Java. */
    static ChildVictim weft() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-cp",
                System.getProperty("java.class.path"), HostileVictimMain.class.getName()));
        return new ChildVictim("weft", command);
    }

    /** hashicorp/yamux's echo victim (DefaultConfig). */
    static ChildVictim hashicorp() throws IOException {
        return new ChildVictim("hashicorp", List.of(goBinary().toString()));
    }

    /** The victim's process id (for a thread dump while debugging). */
    long pid() {
        return process.pid();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InetSocketAddress address() {
        return echo;
    }

    @Override
    public Snapshot snapshot() throws IOException {
        return query('g');
    }

    @Override
    public Snapshot counts() throws IOException {
        return query('c');
    }

    private Snapshot query(char request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(stats, 5_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request);
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            if (line == null) {
                throw new IOException(name + " victim closed its stats connection");
            }
            Map<String, Long> json = new java.util.HashMap<>();
            Matcher field = FIELD.matcher(line);
            while (field.find()) {
                json.put(field.group(1), Long.parseLong(field.group(2)));
            }
            return new Snapshot(json.get("heapBytes"), json.get("goroutines").intValue(), json.get("rssBytes"),
                    json.get("sessions").intValue(), json.get("streams").intValue());
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- building the Go victim ----

    private static final ReentrantLock BUILD_LOCK = new ReentrantLock();
    private static Path built; // guarded by BUILD_LOCK

    private static Path goBinary() throws IOException {
        BUILD_LOCK.lock();
        try {
            return buildOnce();
        } finally {
            BUILD_LOCK.unlock();
        }
    }

    private static Path buildOnce() throws IOException {
        if (built != null) {
            return built;
        }
        Path source = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && source == null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(GO_SOURCE))) {
                source = dir.resolve(GO_SOURCE);
            }
        }
        Path go = Path.of("/usr/bin/go");
        String missing = source == null ? "cannot find " + GO_SOURCE
                : !Files.isExecutable(go) ? "no /usr/bin/go"
                : !Files.isDirectory(Path.of("/usr/share/gocode/src/github.com/hashicorp/yamux"))
                        ? "no /usr/share/gocode/src/github.com/hashicorp/yamux" : null;
        if (missing != null) {
            if ("1".equals(System.getenv(GoPeer.REQUIRE_GO_ENV))) {
                throw new AssertionError("hashicorp victim unavailable: " + missing);
            }
            Assumptions.abort("hashicorp victim unavailable: " + missing);
        }
        Path outDir = Path.of("target", "hostilevictim").toAbsolutePath();
        Files.createDirectories(outDir);
        Path binary = outDir.resolve("hostilevictim");
        Path temp = Files.createTempFile(outDir, "hostilevictim-", ".tmp");
        ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-o", temp.toString(), source.toString())
                .redirectErrorStream(true);
        pb.environment().put("GO111MODULE", "off");
        pb.environment().put("GOPATH", "/usr/share/gocode");
        pb.environment().put("GOCACHE", outDir.resolve("gocache").toString());
        pb.environment().put("GOFLAGS", "");
        Process build = pb.start();
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!build.waitFor(3, TimeUnit.MINUTES) || build.exitValue() != 0) {
                throw new IOException("go build of " + source + " failed:\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the Go victim", e);
        }
        Files.move(temp, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        built = binary;
        return built;
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code weft.jar} and the {@code ./weft} launcher, as a user runs them. The other
 * end-to-end tests start {@code Main} from this build's class path, which says nothing about the
 * jar's manifest (main class, native access), its merged {@code META-INF/services} (how the epoll
 * poller is found) or the launcher script.
 *
 * <p>{@code mvn test} never reaches the package phase, so the launcher builds the jar here, the
 * way a fresh clone's first {@code ./weft} does: in a copy of the sources, because a Maven run in
 * this checkout would recompile {@code target/classes} under the running tests. About 20 s.
 */
class PackagedJarTest {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path clone;

    private static Result version;

    @BeforeAll
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    static void firstLauncherRunBuildsTheJar() throws Exception {
        SourceCopy.of(clone);
        version = run(Duration.ofMinutes(9), "./weft", "--version");
    }

    @Test
    void launcherBuildsAJarThatStartsAndUsesTheEpollPoller() {
        assertThat(version.exitCode).as(version.toString()).isZero();
        assertThat(Files.isRegularFile(clone.resolve("cli/target/weft.jar"))).isTrue();
        assertThat(version.stdout).as(version.toString()).startsWith("weft ");
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            // Found through the merged META-INF/services; "nio" here means the shading lost it.
            assertThat(version.stdout).as(version.toString()).contains("netpoll poller: epoll");
        }
    }

    @Test
    void jarRunsWithPlainJavaDashJarWithoutNativeAccessWarnings() throws Exception {
        // No --enable-native-access: the manifest's Enable-Native-Access must cover the epoll poller.
        Result r = run(RUN_TIMEOUT, Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                clone.resolve("cli/target/weft.jar").toString(), "--version");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.stderr).as(r.toString()).isEmpty();
        assertThat(r.stdout).as(r.toString()).isEqualTo(version.stdout);
    }

    @Test
    void launcherPassesTheJvmOptionsOfToolsJvmOptions() throws Exception {
        // The JVM prints its command-line flags first: those from the launcher are among them.
        Result r = run(RUN_TIMEOUT, Map.of("JAVA_TOOL_OPTIONS", "-XX:+PrintCommandLineFlags"), "./weft", "--version");
        assertThat(r.exitCode).as(r.toString()).isZero();
        String flags = r.stdout.lines().findFirst().orElse("");
        for (String option : LauncherJvmOptionsTest.launcherOptions()) {
            if (option.startsWith("-XX:")) {
                assertThat(flags).as(r.toString()).contains(option);
            }
        }
        assertThat(flags).contains("-XX:+ExitOnOutOfMemoryError", "-XX:+UseG1GC");
    }

    @Test
    void demoThroughTheLauncherVerifiesEveryByte() throws Exception {
        Result r = run(RUN_TIMEOUT, "./weft", "demo", "--duration", "2s");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.stdout).as(r.toString()).contains("OK: every byte verified.");
        assertThat(r.stderr).as(r.toString()).doesNotContain("nio poller", "WARNING");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void launcherSymlinkedOntoPathFindsItsTreeAndHonoursJavaOptsAndWeftOpts(@TempDir Path bin) throws Exception {
        Files.createSymbolicLink(bin.resolve("weft"), clone.resolve("weft"));
        Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"),
                "JAVA_OPTS", "-Xmx77m", "WEFT_OPTS", "-XX:+PrintCommandLineFlags");
        // sh finds weft on the child's PATH (ProcessBuilder would search this JVM's PATH).
        Result r;
        try {
            r = run(RUN_TIMEOUT, env, bin.toFile(), "sh", "-c", "weft --version");
        } finally {
            deleteLinks(bin);
        }
        assertThat(r.exitCode).as(r.toString()).isZero();
        String flags = r.stdout.lines().findFirst().orElse("");
        assertThat(flags).as(r.toString()).contains("-XX:MaxHeapSize=" + 77 * 1024 * 1024, "-XX:+ExitOnOutOfMemoryError");
        assertThat(r.stdout).as(r.toString()).contains("weft 0.1.0", "netpoll poller: epoll");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aCollectorPickedByTheUserReplacesTheLaunchersOwn() throws Exception {
        // Two collectors on one command line stop the JVM ("Conflicting collector combinations").
        for (Map<String, String> env : List.of(Map.of("JAVA_TOOL_OPTIONS", "-XX:+UseSerialGC -XX:+PrintCommandLineFlags"),
                Map.of("WEFT_OPTS", "-XX:+UseParallelGC -XX:+PrintCommandLineFlags"))) {
            Result r = run(RUN_TIMEOUT, env, "./weft", "--version");
            assertThat(r.exitCode).as(r.toString()).isZero();
            String flags = r.stdout.lines().findFirst().orElse("");
            assertThat(flags).as(r.toString()).containsAnyOf("-XX:+UseSerialGC", "-XX:+UseParallelGC")
                    .contains("-XX:+ExitOnOutOfMemoryError").doesNotContain("G1");
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void twoFirstRunsAtOnceBuildOnce() throws Exception {
        Files.delete(clone.resolve("cli/target/weft.jar"));
        Process[] runs = new Process[2];
        Path[] errs = new Path[2];
        for (int i = 0; i < runs.length; i++) {
            errs[i] = Files.createTempFile(clone, "race", ".txt");
            runs[i] = new ProcessBuilder("./weft", "--version").directory(clone.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(errs[i].toFile()).start();
        }
        String stderr = "";
        for (int i = 0; i < runs.length; i++) {
            assertThat(runs[i].waitFor(150, TimeUnit.SECONDS)).isTrue();
            stderr += Files.readString(errs[i], StandardCharsets.UTF_8);
            assertThat(runs[i].exitValue()).as(stderr).isZero();
        }
        // One built while the other waited for the lock (or found the jar built): one build, no errors.
        assertThat(stderr.split("weft: building", -1)).as(stderr).hasSize(2);
        assertThat(stderr).as(stderr).doesNotContain("failed", "Exception");
        try (var files = Files.list(clone.resolve("cli/target"))) {
            assertThat(files.map(f -> f.getFileName().toString())).as("no temporary jar or lock left")
                    .noneMatch(n -> n.endsWith(".tmp") || n.endsWith(".lock"));
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aBuildThatRanNoTestsPrintsNoTestTotals() throws Exception {
        // A report left by an earlier run must not be counted (the old script counted every report newer than pom.xml).
        Path reports = Files.createDirectories(clone.resolve("netpoll/target/surefire-reports"));
        Files.writeString(reports.resolve("TEST-io.weft.Stale.xml"), "<testsuite tests=\"7\" failures=\"0\" errors=\"0\" skipped=\"0\">\n");
        // `mvn --version` runs no tests and is quick; the script's summary is the same after any goal.
        Result r = run(RUN_TIMEOUT, "./build", "--version");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.stdout + r.stderr).as(r.toString()).doesNotContain("Weft tests", "PASSED", "Tests run");
    }

    /**
     * {@code ./build dist} in the copy, unpacked in an empty directory and run through a symlink on a
     * PATH without any java, JAVA_HOME unset: the runtime image alone must run weft, on epoll.
     */
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void distUnpackedAnywhereRunsWithoutAJdk(@TempDir Path elsewhere) throws Exception {
        Result dist = run(Duration.ofMinutes(5), "./build", "dist", "-o");
        assertThat(dist.exitCode).as(dist.toString()).isZero();
        Path tarball;
        try (var files = Files.list(clone.resolve("cli/target"))) {
            tarball = files.filter(f -> f.getFileName().toString().matches("weft-.+-linux-(x64|aarch64)\\.tar\\.gz"))
                    .findFirst().orElseThrow(() -> new AssertionError("no tarball; " + dist));
        }
        Result untar = run(RUN_TIMEOUT, Map.of(), elsewhere.toFile(), "tar", "-xzf", tarball.toString());
        assertThat(untar.exitCode).as(untar.toString()).isZero();
        Path home;
        try (var dirs = Files.list(elsewhere)) {
            home = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        Path bin = Files.createDirectories(elsewhere.resolve("path"));
        try {
            linkEverythingButJava(bin);
            runWithoutAJdk(home, bin, elsewhere);
        } finally {
            deleteLinks(bin); // TempDir's clean-up would log a warning for each link that leaves it
        }
    }

    private static void runWithoutAJdk(Path home, Path bin, Path elsewhere) throws Exception {
        Files.createSymbolicLink(bin.resolve("weft"), home.resolve("bin/weft"));
        Map<String, String> noJdk = new java.util.HashMap<>(Map.of("PATH", bin.toString()));
        for (String unset : List.of("JAVA_HOME", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_OPTS", "WEFT_OPTS")) {
            noJdk.put(unset, null);
        }

        Result version = run(RUN_TIMEOUT, noJdk, elsewhere.toFile(), "/bin/sh", "-c", "command -v java || weft --version");
        assertThat(version.exitCode).as(version.toString()).isZero();
        assertThat(version.stdout).as(version.toString()).startsWith("weft ").contains("netpoll poller: epoll");
        assertThat(version.stderr).as("no CDS or native-access warning").isEmpty();

        Result demo = run(RUN_TIMEOUT, noJdk, elsewhere.toFile(), "/bin/sh", "-c", "weft demo --duration 1s");
        assertThat(demo.exitCode).as(demo.toString()).isZero();
        assertThat(demo.stdout).as(demo.toString()).contains("OK: every byte verified.");
        // The launcher used the image's Java and its AppCDS archive, and every class of weft.jar
        // that --version loads comes from the archive; so do picocli's Java 5 classes, which CDS
        // leaves out unless tools/UpgradeClassFiles.java gave them stack maps (--version runs
        // without picocli, so a demo, which the training runs too, checks those).
        Result cds = run(RUN_TIMEOUT, withEntry(noJdk, "WEFT_OPTS", "-Xshare:on -Xlog:class+load=info"), elsewhere.toFile(),
                "/bin/sh", "-c", "weft --version");
        assertThat(cds.exitCode).as(cds.toString()).isZero();
        assertThat(cds.stdout).as("class loading logged").contains("source: shared objects file");
        assertThat(cds.stdout.lines().filter(line -> line.contains("source: file:")))
                .as("classes read from weft.jar instead of the archive").isEmpty();
        Result picocli = run(RUN_TIMEOUT, withEntry(noJdk, "WEFT_OPTS", "-Xshare:on -Xlog:class+load=info"),
                elsewhere.toFile(), "/bin/sh", "-c", "weft demo --duration 1s");
        assertThat(picocli.exitCode).as(picocli.toString()).isZero();
        assertThat(picocli.stdout).as("picocli loaded").contains("picocli.CommandLine source: shared objects file");
        assertThat(picocli.stdout.lines().filter(line -> line.contains(" picocli.") && line.contains("source: file:")))
                .as("picocli classes read from weft.jar instead of the archive").isEmpty();
        // The image keeps the modules --config needs (jackson-databind's optional ones are left out):
        // a config file with a misspelt key is read, parsed and refused with its line.
        Files.writeString(elsewhere.resolve("bad.toml"), "listen = \"127.0.0.1:0\"\nto = \"127.0.0.1:1\"\nlisen = 3\n");
        Result config = run(RUN_TIMEOUT, noJdk, elsewhere.toFile(), "/bin/sh", "-c", "weft tunnel --config bad.toml");
        assertThat(config.exitCode).as(config.toString()).isEqualTo(2);
        assertThat(config.stderr).as(config.toString()).contains("bad.toml:3: unknown key \"lisen\"");
    }

    /** Links every command of /usr/bin and /bin into {@code dir} except those of an installed JDK. */
    private static void linkEverythingButJava(Path dir) throws IOException {
        for (String system : List.of("/usr/bin", "/bin")) {
            try (var commands = Files.list(Path.of(system))) {
                for (Path command : (Iterable<Path>) commands::iterator) {
                    Path target = dir.resolve(command.getFileName());
                    String real;
                    try {
                        real = command.toRealPath().toString();
                    } catch (IOException dangling) {
                        continue;
                    }
                    if (!real.contains("/jvm/") && !command.getFileName().toString().startsWith("java") && Files.notExists(target)) {
                        Files.createSymbolicLink(target, command);
                    }
                }
            }
        }
    }

    private static void deleteLinks(Path dir) throws IOException {
        try (var links = Files.list(dir)) {
            for (Path link : (Iterable<Path>) links::iterator) {
                Files.deleteIfExists(link);
            }
        }
    }

    private static Map<String, String> withEntry(Map<String, String> env, String key, String value) {
        Map<String, String> copy = new java.util.HashMap<>(env);
        copy.put(key, value);
        return copy;
    }

    private static Result run(Duration timeout, String... command) throws Exception {
        return run(timeout, Map.of(), command);
    }

    private static Result run(Duration timeout, Map<String, String> environment, String... command) throws Exception {
        return run(timeout, environment, clone.toFile(), command);
    }

    /** Runs {@code command} in {@code directory}; an environment entry with a null value is removed. */
    private static Result run(Duration timeout, Map<String, String> environment, java.io.File directory, String... command)
            throws Exception {
        Path out = Files.createTempFile(clone, "stdout", ".txt");
        Path err = Files.createTempFile(clone, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(directory)
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("WEFT_PROGRESS", "plain");
        environment.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(List.of(command) + " still running after " + timeout + "; stderr:\n"
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Result(List.of(command), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private record Result(List<String> command, int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return command + " exited " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }
}

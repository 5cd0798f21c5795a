package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
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

    private static final Path REPO_ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path clone;

    private static Result version;

    @BeforeAll
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    static void firstLauncherRunBuildsTheJar() throws Exception {
        copySources(REPO_ROOT, clone);
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

    /** Copies the sources, leaving out build output and git's data. */
    private static void copySources(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                if (!dir.equals(from) && (name.equals("target") || name.equals(".git"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                // COPY_ATTRIBUTES keeps the scripts executable.
                Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static Result run(Duration timeout, String... command) throws Exception {
        return run(timeout, Map.of(), command);
    }

    private static Result run(Duration timeout, Map<String, String> environment, String... command) throws Exception {
        Path out = Files.createTempFile(clone, "stdout", ".txt");
        Path err = Files.createTempFile(clone, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(clone.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("WEFT_PROGRESS", "plain");
        pb.environment().putAll(environment);
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

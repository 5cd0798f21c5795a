package io.weft.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A copy of this checkout's sources and Maven runs in it, for tests that build the project as a
 * user does. A Maven run in the checkout itself would recompile {@code target/classes} under the
 * running tests; a run against the shared local repository could install {@code io.weft}
 * artifacts there, where other builds of other checkouts would pick them up. So builds here use
 * {@link #localRepository}: a local repository of their own that shares everything in {@code
 * ~/.m2/repository} except {@code io/weft}, through symbolic links (JUnit's {@code @TempDir}
 * clean-up deletes the links, not what they point to).
 *
 * <p>Not thread-safe; one per test class.
 */
final class SourceCopy {

    /** The checkout the tests run in (surefire's working directory is the cli module). */
    static final Path REPO_ROOT = Path.of("..").toAbsolutePath().normalize();

    private static final Set<String> SKIPPED_DIRECTORIES = Set.of("target", ".git", "node_modules");

    private final Path root;

    private SourceCopy(Path root) {
        this.root = root;
    }

    /**
     * Copies the checkout's sources (not build output, git's data or npm's {@code node_modules})
     * to {@code to}, keeping file modes so the scripts stay executable.
     */
    static SourceCopy of(Path to) throws IOException {
        Files.walkFileTree(REPO_ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                if (!dir.equals(REPO_ROOT) && SKIPPED_DIRECTORIES.contains(name)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(REPO_ROOT.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(REPO_ROOT.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
        return new SourceCopy(to);
    }

    /** The copy's root directory. */
    Path root() {
        return root;
    }

    /**
     * Makes {@code dir} a Maven local repository that links every group of the user's {@code
     * ~/.m2/repository} (plugins and libraries already downloaded stay shared, and new downloads
     * land there too) except {@code io/weft}, which is a directory of its own: builds using it
     * neither see stale Weft snapshots installed there nor write Weft artifacts there.
     */
    static Path localRepository(Path dir) throws IOException {
        Path shared = Path.of(System.getProperty("user.home"), ".m2", "repository");
        Files.createDirectories(dir.resolve("io/weft"));
        linkChildren(shared, dir, "io");
        linkChildren(shared.resolve("io"), dir.resolve("io"), "weft");
        return dir;
    }

    private static void linkChildren(Path from, Path to, String except) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(from)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (!name.equals(except)) {
                    Files.createSymbolicLink(to.resolve(name), child);
                }
            }
        }
    }

    /**
     * Runs Maven ({@code tools/mvn.sh}, on this JVM's JDK) in the copy with {@code arguments}.
     * Fails the test when Maven does not finish within {@code timeout}.
     */
    Result maven(Duration timeout, Path localRepository, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                root.resolve("tools/mvn.sh").toString(), "-B", "-ntp", "-Dmaven.repo.local=" + localRepository));
        command.addAll(List.of(arguments));
        return run(timeout, Map.of("JAVA_HOME", System.getProperty("java.home")), command);
    }

    /** Runs {@code command} in the copy's root; stdout and stderr are kept apart. */
    Result run(Duration timeout, Map<String, String> environment, List<String> command) throws Exception {
        Path out = Files.createTempFile(root, "stdout", ".txt");
        Path err = Files.createTempFile(root, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(environment);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(command + " still running after " + timeout + "; stdout:\n"
                    + Files.readString(out, StandardCharsets.UTF_8) + "\nstderr:\n"
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** A finished command: its exit code and output. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return command + " exited " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The real {@code weft} command run as a separate JVM: the compiled classes on this test's class
 * path, started the way {@code ./weft} starts the jar (native access enabled). Stderr (and stdout
 * unless the caller takes it over, as stdio tests do) go to temporary files, read on demand: a
 * pipe read by a thread can lose the last lines when the process exits ("Stream closed").
 */
final class WeftProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+)");
    private static final Duration POLL = Duration.ofMillis(20);

    private final Process process;
    private final List<String> command;
    private final Path stdoutFile;
    private final Path stderrFile;

    private WeftProcess(Process process, List<String> command, Path stdoutFile, Path stderrFile) {
        this.process = process;
        this.command = command;
        this.stdoutFile = stdoutFile;
        this.stderrFile = stderrFile;
    }

    /** Starts {@code weft ARGS} with stdout and stderr captured. */
    static WeftProcess start(String... args) throws IOException {
        return launch(true, List.of(), args);
    }

    /** Starts {@code weft ARGS} with extra JVM options (such as {@code -Xmx64m}), stdout and stderr captured. */
    static WeftProcess startWithJvmOptions(List<String> jvmOptions, String... args) throws IOException {
        return launch(true, jvmOptions, args);
    }

    /** Starts {@code weft ARGS}; the caller owns {@link #stdin()} and {@link #stdoutStream()}. */
    static WeftProcess startPiped(String... args) throws IOException {
        return launch(false, List.of(), args);
    }

    /**
     * Starts {@code weft ARGS} with SIGINT at its default disposition, whatever this JVM
     * inherited ({@code env --default-signal=INT}): a JVM that starts with SIGINT ignored, as
     * background jobs of a non-interactive shell do, never sees Ctrl-C.
     */
    static WeftProcess startWithSigint(String... args) throws IOException {
        return launch(List.of("env", "--default-signal=INT"), true, List.of(), args);
    }

    /** Runs {@code weft ARGS} to completion (at most {@code timeout}) with empty stdin. */
    static WeftProcess run(Duration timeout, String... args) throws IOException {
        WeftProcess p = start(args);
        p.stdin().close();
        p.awaitExit(timeout);
        return p;
    }

    private static WeftProcess launch(boolean captureStdout, List<String> jvmOptions, String... args) throws IOException {
        return launch(List.of(), captureStdout, jvmOptions, args);
    }

    private static WeftProcess launch(List<String> prefix, boolean captureStdout, List<String> jvmOptions,
            String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-ea");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:TieredStopAtLevel=1"); // short test processes: start-up over peak speed (the launcher does not cap)
        command.add("-XX:+UseSerialGC");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("WEFT_PROGRESS", "plain");
        Path out = Files.createTempFile("weft-stdout", ".txt");
        Path err = Files.createTempFile("weft-stderr", ".txt");
        out.toFile().deleteOnExit();
        err.toFile().deleteOnExit();
        if (captureStdout) {
            pb.redirectOutput(out.toFile());
        }
        pb.redirectError(err.toFile());
        return new WeftProcess(pb.start(), List.copyOf(command.subList(command.size() - args.length, command.size())),
                out, err);
    }

    OutputStream stdin() {
        return process.getOutputStream();
    }

    InputStream stdoutStream() {
        return process.getInputStream();
    }

    Process process() {
        return process;
    }

    /** Waits for the process to end and returns its exit code; fails the test on timeout. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("weft " + command + " still running after " + timeout + "; stderr:\n" + stderr());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for the "listening on ADDR" log line on stderr and returns ADDR. */
    String awaitListening(Duration timeout) {
        return awaitMatch(LISTENING, timeout);
    }

    /** Waits for "PREFIX listening on ADDR" on stderr and returns ADDR. */
    String awaitListening(String prefix, Duration timeout) {
        return awaitMatch(Pattern.compile(Pattern.quote(prefix) + " listening on (\\S+)"), timeout);
    }

    /** Waits until {@code pattern} matches stderr; returns its first group. */
    String awaitMatch(Pattern pattern, Duration timeout) {
        Matcher[] m = new Matcher[1];
        boolean found = awaitOutput(() -> {
            m[0] = pattern.matcher(stderr());
            return m[0].find();
        }, timeout);
        if (!found) {
            throw new AssertionError("weft " + command + " did not print '" + pattern + "' within " + timeout
                    + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")") + "; stderr:\n" + stderr());
        }
        return m[0].group(1);
    }

    /** Waits until stderr contains {@code text} at least {@code times} times. */
    boolean awaitStderr(String text, int times, Duration timeout) {
        return awaitOutput(() -> {
            String s = stderr();
            int count = 0;
            for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + 1)) {
                count++;
            }
            return count >= times;
        }, timeout);
    }

    String stdout() {
        return read(stdoutFile);
    }

    /** Stdout as bytes (stdio mode writes yamux frames there). */
    byte[] stdoutBytes() {
        try {
            return Files.readAllBytes(stdoutFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The process id, for tools that act on it (prlimit). */
    long pid() {
        return process.pid();
    }

    /** Whether the process is still running. */
    boolean isAlive() {
        return process.isAlive();
    }

    String stderr() {
        return read(stderrFile);
    }

    /**
     * Sends SIGTERM, as a service manager would, and nothing else: {@code Process.destroy()} also
     * closes the pipes to the child, so a stdio session would see stdin end at the same moment.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** Sends {@code SIG<name>} ({@code "INT"}, {@code "TERM"}, {@code "KILL"}) with the shell's kill. */
    void signal(String name) {
        try {
            int rc = new ProcessBuilder("sh", "-c", "kill -" + name + " " + process.pid()).inheritIO().start().waitFor();
            assertThat(rc).as("kill -%s %d", name, process.pid()).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
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

    /** Asserts the exit code, with stderr in the failure message. */
    void assertExit(int expected, Duration timeout) {
        int code = awaitExit(timeout);
        assertThat(code).as("exit code of weft %s; stderr:%n%s%nstdout:%n%s", command, stderr(), stdout())
                .isEqualTo(expected);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls the output files until {@code condition} holds or the process has exited and it still does not. */
    private boolean awaitOutput(BooleanSupplier condition, Duration timeout) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(POLL).pollDelay(Duration.ZERO)
                    .until(() -> condition.getAsBoolean() || !process.isAlive());
        } catch (ConditionTimeoutException e) {
            return false;
        }
        return condition.getAsBoolean();
    }

    @Override
    public String toString() {
        return "weft " + String.join(" ", command);
    }
}

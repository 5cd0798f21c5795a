package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code weft} command run as a separate JVM: the compiled classes on this test's class
 * path, started the way {@code ./weft} starts the jar (native access enabled). Captures stderr
 * (and stdout unless the caller takes it over, as stdio tests do) on virtual threads.
 */
final class WeftProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+)");

    private final Process process;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final StringBuilder stdout = new StringBuilder(); // guarded by lock
    private final StringBuilder stderr = new StringBuilder(); // guarded by lock
    private final List<String> command;
    private final List<Thread> drains = new ArrayList<>();

    private WeftProcess(Process process, List<String> command, boolean captureStdout) {
        this.process = process;
        this.command = command;
        if (captureStdout) {
            drain(process.getInputStream(), stdout);
        }
        drain(process.getErrorStream(), stderr);
    }

    /** Starts {@code weft ARGS} with stdout and stderr captured. */
    static WeftProcess start(String... args) throws IOException {
        return launch(true, args);
    }

    /** Starts {@code weft ARGS}; the caller owns {@link #stdin()} and {@link #stdoutStream()}. */
    static WeftProcess startPiped(String... args) throws IOException {
        return launch(false, args);
    }

    /** Runs {@code weft ARGS} to completion (at most {@code timeout}) with empty stdin. */
    static WeftProcess run(Duration timeout, String... args) throws IOException {
        WeftProcess p = start(args);
        p.stdin().close();
        p.awaitExit(timeout);
        return p;
    }

    private static WeftProcess launch(boolean captureStdout, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-ea");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("WEFT_PROGRESS", "plain");
        return new WeftProcess(pb.start(), List.copyOf(command.subList(command.size() - args.length, command.size())),
                captureStdout);
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
            for (Thread t : drains) {
                t.join(Duration.ofSeconds(5)); // the rest of the output
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
            m[0] = pattern.matcher(stderrUnlocked());
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
            String s = stderrUnlocked();
            int count = 0;
            for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + 1)) {
                count++;
            }
            return count >= times;
        }, timeout);
    }

    String stdout() {
        lock.lock();
        try {
            return stdout.toString();
        } finally {
            lock.unlock();
        }
    }

    String stderr() {
        lock.lock();
        try {
            return stderr.toString();
        } finally {
            lock.unlock();
        }
    }

    /** Sends SIGTERM, as a service manager would. */
    void terminate() {
        process.destroy();
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

    private String stderrUnlocked() {
        return stderr.toString();
    }

    private boolean awaitOutput(java.util.function.BooleanSupplier condition, Duration timeout) {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void drain(InputStream in, StringBuilder into) {
        drains.add(Thread.ofVirtual().name("weft output").start(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    String s = new String(buf, 0, n, StandardCharsets.UTF_8);
                    lock.lock();
                    try {
                        into.append(s);
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            } finally {
                lock.lock();
                try {
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }));
    }

    @Override
    public String toString() {
        return "weft " + String.join(" ", command);
    }
}

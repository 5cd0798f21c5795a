package io.weft.netpoll.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The {@code openssl} command ({@code s_server}, {@code s_client}) run as a subprocess, for TLS
 * interop tests. Mirrors the yamux module's {@code GoPeer}: when no {@code openssl} executable is
 * found the calling test is skipped, unless {@code WEFT_REQUIRE_GO=1} (set by CI, which installs
 * openssl) is present: then it fails.
 *
 * <pre>{@code
 * try (OpensslProcess server = OpensslProcess.sServer("-cert", cert, "-key", key, "-rev")) {
 *     Conn conn = Net.dial("tcp", "127.0.0.1:" + server.port());   // s_server printed ACCEPT
 *     ...
 *     server.awaitOutput("CONNECTION CLOSED", Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>stdout is kept as bytes (s_client -quiet writes the peer's raw data there), stderr as text;
 * two virtual threads drain them. Any thread. {@link #close()} kills the process and waits for it.
 */
final class OpensslProcess implements AutoCloseable {

    /** Environment variable that turns a missing openssl into a failure instead of a skip. */
    static final String REQUIRE_ENV = "WEFT_REQUIRE_GO";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern ACCEPT = Pattern.compile("(?m)^ACCEPT (\\S+):(\\d+)\\s*$");

    private final Process process;
    private final List<String> command;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream(); // guarded by lock
    private final StringBuilder stderr = new StringBuilder(); // guarded by lock
    private int openDrainers; // guarded by lock

    private OpensslProcess(Process process, List<String> command) {
        this.process = process;
        this.command = command;
        drain(process.getInputStream(), true);
        drain(process.getErrorStream(), false);
    }

    /**
     * The openssl executable. Skips the calling test when there is none (fails instead when
     * {@code WEFT_REQUIRE_GO=1}).
     */
    static Path binary() {
        Optional<Path> found = find();
        if (found.isPresent()) {
            return found.get();
        }
        String message = "openssl executable not found on PATH or in /usr/bin";
        if ("1".equals(System.getenv(REQUIRE_ENV))) {
            throw new AssertionError(message + " (" + REQUIRE_ENV + "=1, so this is a failure; install openssl)");
        }
        Assumptions.abort(message + " — test skipped; set " + REQUIRE_ENV + "=1 to make this fail");
        throw new AssertionError("unreachable");
    }

    /** Starts {@code openssl ARGS...}. */
    static OpensslProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(Arrays.asList(args));
        return new OpensslProcess(new ProcessBuilder(command).start(), List.copyOf(command));
    }

    /**
     * Starts {@code openssl s_server -accept 127.0.0.1:0 ARGS...} and waits until it prints
     * {@code ACCEPT 127.0.0.1:PORT}.
     */
    static OpensslProcess sServer(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("s_server", "-accept", "127.0.0.1:0"));
        all.addAll(Arrays.asList(args));
        OpensslProcess server = start(all.toArray(String[]::new));
        try {
            server.awaitOutput("ACCEPT ", READY_TIMEOUT);
        } catch (AssertionError e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The port {@code s_server} printed with {@code ACCEPT}. */
    int port() {
        Matcher m = ACCEPT.matcher(stdoutText());
        if (!m.find()) {
            throw new AssertionError(describe("printed no ACCEPT line"));
        }
        return Integer.parseInt(m.group(2));
    }

    /** {@code 127.0.0.1:PORT} of an {@code s_server}. */
    String address() {
        return "127.0.0.1:" + port();
    }

    /**
     * Waits until stdout or stderr contains {@code text}.
     *
     * @throws AssertionError if the process exits first or the timeout passes, with its output
     */
    void awaitOutput(String text, Duration timeout) {
        awaitCondition(() -> stdoutText().contains(text) || stderrText().contains(text), "never printed \"" + text + "\"",
                timeout);
    }

    /** Waits until stdout holds at least {@code n} bytes and returns the first {@code n}. */
    byte[] awaitStdoutBytes(int n, Duration timeout) {
        awaitCondition(() -> stdoutSize() >= n, "printed fewer than " + n + " bytes on stdout", timeout);
        lock.lock();
        try {
            return Arrays.copyOf(stdout.toByteArray(), n);
        } finally {
            lock.unlock();
        }
    }

    private void awaitCondition(java.util.function.BooleanSupplier done, String failure, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                if (openDrainers == 0) {
                    throw new AssertionError(describe(failure + " and exited"));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(describe(failure + " within " + timeout));
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for openssl", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the process to exit and for its output to be drained.
     *
     * @return the exit code
     * @throws AssertionError if it is still running after {@code timeout} (it is then killed)
     */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(describe("still running after " + timeout + "; killed"));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            lock.lock();
            try {
                while (openDrainers > 0 && deadline - System.nanoTime() > 0) {
                    changed.awaitNanos(deadline - System.nanoTime());
                }
            } finally {
                lock.unlock();
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for openssl", e);
        }
    }

    /** The process's stdin (what s_client sends to its peer). */
    OutputStream stdin() {
        return process.getOutputStream();
    }

    /** Everything printed on stdout so far, decoded as UTF-8. */
    String stdoutText() {
        lock.lock();
        try {
            return stdout.toString(StandardCharsets.UTF_8);
        } finally {
            lock.unlock();
        }
    }

    /** Everything printed on stderr so far. */
    String stderrText() {
        lock.lock();
        try {
            return stderr.toString();
        } finally {
            lock.unlock();
        }
    }

    private int stdoutSize() {
        lock.lock();
        try {
            return stdout.size();
        } finally {
            lock.unlock();
        }
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
        return "openssl" + command.subList(1, command.size());
    }

    /** The command, what happened, and both outputs (stdout cut to 4,000 characters). */
    String describe(String what) {
        String out = stdoutText();
        if (out.length() > 4000) {
            out = out.substring(0, 4000) + "...";
        }
        return toString() + " " + what + "\n--- stdout:\n" + out + "\n--- stderr:\n" + stderrText();
    }

    private void drain(InputStream in, boolean isStdout) {
        lock.lock();
        try {
            openDrainers++;
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("openssl-output").start(() -> {
            byte[] buf = new byte[16 * 1024];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    lock.lock();
                    try {
                        if (isStdout) {
                            stdout.write(buf, 0, n);
                        } else {
                            stderr.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                        }
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (IOException e) {
                // The process was killed: nothing more to read.
            } finally {
                lock.lock();
                try {
                    openDrainers--;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        });
    }

    private static Optional<Path> find() {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "openssl"));
                }
            }
        }
        candidates.add(Path.of("/usr/bin/openssl"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }
}

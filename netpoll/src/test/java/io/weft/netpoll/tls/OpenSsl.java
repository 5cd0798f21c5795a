package io.weft.netpoll.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code openssl} command (OpenSSL 3) for interop checks. When it is missing the calling
 * test is skipped, unless {@code WEFT_REQUIRE_GO=1} (CI's "every interop peer must be present"
 * switch): then it fails. Stateless; any thread.
 */
final class OpenSsl {

    private OpenSsl() {}

    /** What a run printed (stdout and stderr together) and its exit status. */
    record Result(int exitCode, String output) {}

    /** Runs {@code openssl args...} in {@code dir}, waiting at most 30 s. */
    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(OpensslProcess.binary().toString()); // skips or fails the test when there is none
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("openssl " + String.join(" ", args) + " did not exit");
        }
        return new Result(process.exitValue(), output);
    }

    /** Runs {@code openssl args...} and returns its output, failing the test unless it exits 0. */
    static String ok(Path dir, String... args) throws IOException, InterruptedException {
        Result r = run(dir, args);
        if (r.exitCode() != 0) {
            throw new AssertionError("openssl " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }
}

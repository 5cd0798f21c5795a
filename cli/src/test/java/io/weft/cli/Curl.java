package io.weft.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the {@code curl} command (Debian package curl, in .ci/run's need list). When it is missing
 * the calling test is skipped, unless {@code WEFT_REQUIRE_GO=1} (CI's "every interop tool must be
 * present" switch): then it fails. Proxy variables of the environment are removed so only the
 * options given apply. Stateless; any thread.
 */
final class Curl {

    private Curl() {}

    /** What a run printed on stderr and its exit status. */
    record Result(int exitCode, String stderr) {}

    /** Runs {@code curl -sS --max-time 30 ARGS}, waiting at most 40 s. */
    static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary().toString(), "-sS", "--max-time", "30"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
        Process process = pb.start();
        process.getOutputStream().close();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(40, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("curl " + String.join(" ", args) + " did not exit");
        }
        return new Result(process.exitValue(), err);
    }

    private static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "curl");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        if ("1".equals(System.getenv("WEFT_REQUIRE_GO"))) {
            throw new AssertionError("curl is not installed and WEFT_REQUIRE_GO=1 (apt-get install curl)");
        }
        Assumptions.abort("curl is not installed");
        throw new AssertionError("unreachable");
    }
}

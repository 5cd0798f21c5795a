package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's {@code promtool} (Debian package {@code prometheus}), to lint exposition text.
 * Missing, the calling test is skipped, unless {@code WEFT_REQUIRE_GO=1} (set by CI, whose
 * {@code .ci/run} installs it): then it fails.
 */
final class Promtool {

    private Promtool() {}

    /** Runs {@code promtool check metrics} on {@code text} and asserts it found nothing to complain about. */
    static void assertValid(String text) throws IOException, InterruptedException {
        Path promtool = binary();
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(p.exitValue()).as("promtool check metrics said:%n%s%non:%n%s", output, text).isZero();
        assertThat(output.strip()).as("promtool warnings").isEmpty();
    }

    private static Path binary() {
        Optional<Path> found = Optional.ofNullable(System.getenv("PATH")).stream()
                .flatMap(path -> java.util.Arrays.stream(path.split(":")))
                .map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isPresent()) {
            return found.get();
        }
        String message = "promtool not found on PATH (Debian package prometheus)";
        if ("1".equals(System.getenv("WEFT_REQUIRE_GO"))) {
            throw new AssertionError(message + " (WEFT_REQUIRE_GO=1, so this is a failure; apt-get install prometheus)");
        }
        Assumptions.abort(message + " — test skipped; set WEFT_REQUIRE_GO=1 to make this fail");
        throw new AssertionError("unreachable");
    }
}

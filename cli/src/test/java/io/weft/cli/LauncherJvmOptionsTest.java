package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JVM options {@code ./weft} passes ({@code tools/jvm.options}; PackagedJarTest checks that
 * the launcher really passes them). Defect 16: a JVM that runs out of heap must exit at once,
 * non-zero, instead of staying up and serving nothing. Defect 18: the collector must give memory
 * back when idle (measured in docs/reliability.md; here only the choice is pinned).
 */
@Timeout(60)
class LauncherJvmOptionsTest {

    private static final Path OPTIONS = Path.of("..", "tools", "jvm.options").toAbsolutePath().normalize();

    /** The options as the launcher reads them: lines without comments, blank lines dropped. */
    static List<String> launcherOptions() throws IOException {
        List<String> options = new ArrayList<>();
        for (String line : Files.readAllLines(OPTIONS, StandardCharsets.UTF_8)) {
            String option = line.replaceAll("#.*", "").strip();
            if (!option.isEmpty()) {
                options.add(option);
            }
        }
        return options;
    }

    @Test
    void aJvmWithTheLauncherOptionsExitsAtOnceOnOutOfMemory() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(launcherOptions());
        command.addAll(List.of("-Xmx24m", "-cp", System.getProperty("java.class.path"), OutOfMemoryMain.class.getName()));
        Path err = Files.createTempFile("oom", ".txt");
        err.toFile().deleteOnExit();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(err.toFile()).start();
        try {
            boolean exited = process.waitFor(20, TimeUnit.SECONDS);
            String output = Files.readString(err, StandardCharsets.UTF_8);
            assertThat(exited).as("exited after OutOfMemoryError; output:%n%s", output).isTrue();
            assertThat(process.exitValue()).as(output).isNotZero();
            assertThat(output).contains("Terminating due to java.lang.OutOfMemoryError").doesNotContain("caught");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void theCollectorGivesMemoryBackWhenIdle() throws Exception {
        assertThat(launcherOptions())
                .contains("--enable-native-access=ALL-UNNAMED", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseG1GC")
                .contains("-XX:-G1PeriodicGCInvokesConcurrent")
                .anyMatch(o -> o.startsWith("-XX:G1PeriodicGCInterval="))
                .noneMatch(o -> o.contains("ParallelGC"));
    }
}

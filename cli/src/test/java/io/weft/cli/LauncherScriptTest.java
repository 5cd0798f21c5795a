package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the repository's shell entry points ({@code ./weft}, {@code ./build}) the way a newcomer
 * does, with the JDK search pointed at a directory that holds only an old JDK or none at all.
 */
class LauncherScriptTest {

    private static final Path REPO_ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void weftStopsWithOneLineWhenNoJdk21IsReachable(@TempDir Path emptyJdkDir) throws Exception {
        Result result = runWithoutJdk(emptyJdkDir, "./weft", "--help");

        assertThat(result.exitCode).isEqualTo(1);
        assertThat(result.stderrLines).hasSize(1);
        assertThat(result.stderrLines.get(0)).contains("needs a JDK 21 or newer").contains("JAVA_HOME");
    }

    @Test
    void buildStopsWithOneLineWhenNoJdk21IsReachable(@TempDir Path emptyJdkDir) throws Exception {
        Result result = runWithoutJdk(emptyJdkDir, "./build", "test");

        assertThat(result.exitCode).isEqualTo(1);
        assertThat(result.stderrLines).hasSize(1);
        assertThat(result.stderrLines.get(0)).contains("needs a JDK 21 or newer");
    }

    @Test
    void jdkSearchRejectsJavaHomeOlderThan21AndFindsANewerOne(@TempDir Path jdks) throws Exception {
        Path current = Path.of(System.getProperty("java.home"));
        Files.createSymbolicLink(jdks.resolve("current"), current);
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", ". tools/jdk.sh && weft_find_jdk && echo \"$JAVA_HOME\"")
                .directory(REPO_ROOT.toFile());
        pb.environment().put("JAVA_HOME", "/nonexistent-old-jdk");
        pb.environment().put("WEFT_JDK_SEARCH_PATH", jdks.toString());
        Result result = run(pb);

        assertThat(result.exitCode).isZero();
        assertThat(result.stdout.strip()).isEqualTo(jdks.resolve("current").toString());
    }

    @Test
    void weftSymlinkedElsewhereFindsItsTree(@TempDir Path emptyJdkDir, @TempDir Path bin) throws Exception {
        // A relative link to a link: both are followed to the real script beside tools/.
        Files.createSymbolicLink(bin.resolve("weft-real"), REPO_ROOT.resolve("weft"));
        Files.createSymbolicLink(bin.resolve("weft"), Path.of("weft-real"));
        Result result = runWithoutJdk(emptyJdkDir, bin.resolve("weft").toString(), "--help");

        // It got as far as the JDK search in tools/jdk.sh (not "tools/jdk.sh: not found").
        assertThat(result.exitCode).isEqualTo(1);
        assertThat(result.stderrLines).singleElement().asString().contains("needs a JDK 21 or newer");
    }

    @Test
    void jvmOptionsLeaveTheCollectorToTheUserWhenTheyPickOne() throws Exception {
        String script = ". tools/jvm-opts.sh && weft_jvm_opts tools/jvm.options";
        List<String> own = jvmOptions(script, "", "");
        assertThat(own).contains("-XX:+ExitOnOutOfMemoryError").anyMatch(o -> o.matches("-XX:\\+Use\\w+GC"));
        for (String[] userPick : new String[][] {{"JAVA_TOOL_OPTIONS", "-XX:+UseSerialGC"}, {"WEFT_OPTS", "-Xmx64m -XX:+UseZGC"},
            {"JAVA_OPTS", "-XX:+UseParallelGC"}, {"JDK_JAVA_OPTIONS", "-XX:+UseG1GC"}}) {
            List<String> left = jvmOptions(script, userPick[0], userPick[1]);
            assertThat(left).as("%s=%s", userPick[0], userPick[1])
                    .contains("-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED")
                    .noneMatch(o -> o.matches("-XX:[+-]Use\\w+GC") || o.contains("G1"));
        }
        // Other options of the user's leave the collector lines in.
        assertThat(jvmOptions(script, "WEFT_OPTS", "-Xmx64m")).isEqualTo(own);
    }

    private static List<String> jvmOptions(String script, String variable, String value) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script).directory(REPO_ROOT.toFile());
        for (String name : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_OPTS", "WEFT_OPTS")) {
            pb.environment().remove(name);
        }
        if (!variable.isEmpty()) {
            pb.environment().put(variable, value);
        }
        Result result = run(pb);
        assertThat(result.exitCode).as(result.toString()).isZero();
        return result.stdout.lines().map(String::strip).toList();
    }

    private static Result runWithoutJdk(Path emptyJdkDir, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(REPO_ROOT.toFile());
        pb.environment().remove("JAVA_HOME");
        pb.environment().put("WEFT_JDK_SEARCH_PATH", emptyJdkDir.toString());
        // Only the system directories: no JDK >= 21 on PATH on these machines (the default java is 17).
        pb.environment().put("PATH", "/usr/bin:/bin");
        return run(pb);
    }

    private static Result run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process process = pb.start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String stderr = new String(err, StandardCharsets.UTF_8);
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                stderr.lines().filter(l -> !l.isBlank()).toList());
    }

    private record Result(int exitCode, String stdout, List<String> stderrLines) {}
}

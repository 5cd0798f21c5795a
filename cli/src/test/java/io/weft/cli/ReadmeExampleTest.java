package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keeps the documentation's library examples true: the {@code java} blocks of README.md (plain,
 * then over TLS) and the Quick start of docs/yamux.md are compiled against the libraries as they
 * are and run in a fresh JVM, and must print what they promise.
 */
class ReadmeExampleTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @ParameterizedTest(name = "{0} block {1}")
    @CsvSource({"README.md, 1, hello", "README.md, 2, hello over TLSv1.3", "docs/yamux.md, 1, hello after a "})
    void javaExampleCompilesAndEchoesHello(String page, int block, String expectedLineStart, @TempDir Path dir)
            throws Exception {
        String readme = Files.readString(ROOT.resolve(page));
        int start = -1;
        for (int i = 0; i < block; i++) {
            start = readme.indexOf("```java\n", start + 1);
            assertThat(start).as("java block %d in %s", i + 1, page).isNotNegative();
        }
        int end = readme.indexOf("```", start + 8);
        List<String> lines = readme.substring(start + 8, end).lines().toList();
        String source = lines.stream().filter(l -> l.startsWith("import ")).collect(Collectors.joining("\n"))
                + "\npublic class ReadmeExample {\n    public static void main(String[] args) throws Exception {\n"
                + lines.stream().filter(l -> !l.startsWith("import ")).collect(Collectors.joining("\n"))
                + "\n    }\n}\n";
        Path file = dir.resolve("ReadmeExample.java");
        Files.writeString(file, source);
        String classPath = System.getProperty("java.class.path");

        String java = ProcessHandle.current().info().command().orElseThrow();
        String javac = Path.of(java).resolveSibling("javac").toString();
        String compiled = run(List.of(javac, "-cp", classPath, "-d", dir.toString(), file.toString()));
        assertThat(compiled).as("javac output for:\n%s", source).isEmpty();

        String output = run(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                classPath + File.pathSeparator + dir, "ReadmeExample"));
        assertThat(output.lines().toList()).as("output").anyMatch(line -> line.startsWith(expectedLineStart));
    }

    /** Runs {@code command}; returns its output (stdout and stderr) after checking it exited 0. */
    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes(); // until the process closes it
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command.get(0)).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit status of %s; output:%n%s", command.get(0), text).isZero();
        return text;
    }
}

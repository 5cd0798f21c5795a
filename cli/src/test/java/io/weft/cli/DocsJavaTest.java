package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Docs that compile: every {@code java} block of README.md and docs/ compiles against the
 * libraries as they are (the conventions are {@link DocJava}'s), and a block marked {@code
 * <!-- java-run: TEXT -->} runs in a fresh JVM and prints a line starting with TEXT. A failure
 * names the page and line and says how to fix or mark the block.
 */
@Timeout(120)
class DocsJavaTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    static List<DocBlock> javaBlocks() {
        return DocBlock.inRepository(ROOT).stream().filter(b -> b.language().equals("java")).toList();
    }

    @Test
    void findsTheLibraryExamples() {
        assertThat(javaBlocks()).extracting(DocBlock::file)
                .contains("README.md", "docs/netpoll.md", "docs/yamux.md");
        assertThat(javaBlocks()).filteredOn(b -> b.directive("java-run").isPresent()).hasSizeGreaterThanOrEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javaBlocks")
    void compiles(DocBlock block, @TempDir Path dir) throws Exception {
        String classPath = DocJava.libraryClassPath();
        List<String> errors = DocJava.compile(block, classPath, dir);
        if (!errors.isEmpty()) {
            fail("the ```java block at %s does not compile:%n%s%n%n%s", block, String.join("\n", errors),
                    DocJava.HOW_TO_FIX);
        }

        var run = block.directive("java-run");
        if (run.isPresent()) {
            String output = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", classPath + File.pathSeparator + dir,
                    DocJava.source(block).mainClass()));
            assertThat(output.lines().toList())
                    .as("the ```java block at %s is marked <!-- java-run: %s --> (a line of its output starts with that);"
                            + " it printed:%n%s", block, run.get().value(), output)
                    .anyMatch(line -> line.startsWith(run.get().value()));
        }
    }

    /** Runs {@code command}; returns its output (stdout and stderr) after checking it exited 0. */
    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes(); // until the process closes it
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit status of %s; output:%n%s", command, text).isZero();
        return text;
    }
}

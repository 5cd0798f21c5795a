package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Docs that run: every shell block of README.md and docs/ is either marked {@code <!--
 * illustrative -->} or made of {@code ./weft} commands this test runs (the rules are {@link
 * DocShell}'s), and each of those exits 0. A block without a language that looks like shell (a
 * {@code $ weft} prompt line) fails until it is labelled.
 */
@Timeout(120)
class DocsShellTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    static List<DocBlock> shellBlocks() {
        return DocBlock.inRepository(ROOT).stream().filter(DocShell::isShell).toList();
    }

    static List<DocBlock> runnableBlocks() {
        return shellBlocks().stream().filter(b -> !DocShell.isIllustrative(b) && DocShell.problems(b).isEmpty()).toList();
    }

    @Test
    void everyShellBlockRunsOrIsMarkedIllustrative() {
        List<String> problems = DocBlock.inRepository(ROOT).stream().flatMap(b -> DocShell.problems(b).stream()).toList();
        if (!problems.isEmpty()) {
            fail("shell blocks that are neither marked illustrative nor runnable by DocsShellTest:%n%s%n%n%s",
                    String.join("\n", problems), DocShell.HOW_TO_FIX);
        }
    }

    @Test
    void theQuickStartRuns() {
        assertThat(runnableBlocks()).extracting(DocBlock::file).contains("README.md");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runnableBlocks")
    void runs(DocBlock block) throws Exception {
        for (DocShell.Command command : DocShell.commands(block)) {
            try (WeftProcess weft = WeftProcess.run(Duration.ofSeconds(60), command.args().toArray(String[]::new))) {
                assertThat(weft.awaitExit(Duration.ofSeconds(60)))
                        .as("%s:%d: weft %s exited with an error; stderr:%n%s%nstdout:%n%s", block.file(), command.line(),
                                String.join(" ", command.args()), weft.stderr(), weft.stdout())
                        .isZero();
            }
        }
    }
}

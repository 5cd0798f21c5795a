package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docs checks themselves (DocBlock, DocJava, DocShell) on made-up pages: a block that breaks
 * is reported with its page and line, context and hoisted imports compile, and a shell block is
 * runnable or marked. DocsJavaTest and DocsShellTest apply them to the real pages.
 */
@Timeout(60)
class DocBlockTest {

    @Test
    void parsesFencesDirectivesAndLines() {
        List<DocBlock> blocks = DocBlock.parse("page.md", """
                # Title
                <!-- illustrative:
                     two hosts -->

                ```sh
                ./weft demo
                ```
                text
                ```` ```sh ```` in prose is no fence
                - item:
                  ```java
                  int x = 1;
                  ```
                """);
        assertThat(blocks).hasSize(2);
        assertThat(blocks.get(0).toString()).isEqualTo("page.md:5");
        assertThat(blocks.get(0).directive("illustrative")).get()
                .satisfies(d -> assertThat(d.line()).isEqualTo(2))
                .satisfies(d -> assertThat(d.value()).isEqualTo("two hosts"));
        assertThat(blocks.get(1).language()).isEqualTo("java");
        assertThat(blocks.get(1).lines()).containsExactly("int x = 1;");
        assertThat(blocks.get(1).lineOf(0)).isEqualTo(12);
        assertThat(blocks.get(1).directives()).isEmpty();
    }

    @Test
    void brokenJavaBlockIsReportedAtItsPageLine(@TempDir Path dir) throws Exception {
        DocBlock block = DocBlock.parse("docs/x.md", """
                Intro.

                ```java
                import java.time.Duration;

                Duration d = Duration.ofSeconds(1);
                Session s = d;
                ```
                """).getFirst();
        List<String> errors = DocJava.compile(block, DocJava.libraryClassPath(), dir);
        assertThat(errors).singleElement().asString()
                .startsWith("docs/x.md:7: error: cannot find symbol").contains("Session s = d;");
    }

    @Test
    void contextDeclaresWhatTheBlockDoesNotShow(@TempDir Path dir) throws Exception {
        DocBlock block = DocBlock.parse("x.md", """
                <!-- java-context: import io.weft.yamux.*; Session session; -->
                ```java
                import java.time.Duration;
                Duration rtt = session.ping();
                ```
                """).getFirst();
        assertThat(DocJava.compile(block, DocJava.libraryClassPath(), dir)).isEmpty();
    }

    @Test
    void wholeFileCompilesAsIsAndUnknownDirectivesAreErrors(@TempDir Path dir) throws Exception {
        DocBlock file = DocBlock.parse("x.md", """
                ```java
                package com.example;

                import io.weft.netpoll.Conn;

                public record Echo(Conn conn) {}
                ```
                """).getFirst();
        assertThat(DocJava.source(file).fileName()).isEqualTo("Echo.java");
        assertThat(DocJava.source(file).mainClass()).isEqualTo("com.example.Echo");
        assertThat(DocJava.compile(file, DocJava.libraryClassPath(), dir.resolve("a"))).isEmpty();

        DocBlock typo = DocBlock.parse("x.md", "<!-- java-contxt: int x; -->\n```java\nint y = 1;\n```\n").getFirst();
        assertThat(DocJava.compile(typo, DocJava.libraryClassPath(), dir.resolve("b")))
                .containsExactly("x.md:1: unknown directive 'java-contxt' (known: java-context, java-run)");
    }

    @Test
    void moduleBlockCompilesAgainstTheLibraryModules(@TempDir Path dir) throws Exception {
        DocBlock module = DocBlock.parse("x.md", """
                ```java
                module com.example.app {
                    requires io.weft.yamux;
                }
                ```
                """).getFirst();
        assertThat(DocJava.compile(module, DocJava.libraryClassPath(), dir.resolve("a"))).isEmpty();

        DocBlock missing = DocBlock.parse("x.md", "```java\nmodule com.example.app {\n    requires io.weft.nosuch;\n}\n```\n")
                .getFirst();
        assertThat(DocJava.compile(missing, DocJava.libraryClassPath(), dir.resolve("b"))).singleElement().asString()
                .startsWith("x.md:3: error: module not found: io.weft.nosuch");
    }

    @Test
    void shellBlockIsRunnableOrMarked() {
        List<DocBlock> blocks = DocBlock.parse("x.md", """
                ```sh
                ./weft --version
                ./weft demo        # the tour
                ./weft tunnel --help
                ```
                ```console
                $ ./weft --help
                Usage: weft ...
                ```
                ```sh
                ./weft echo --listen :7000
                cat p | ./weft stdio localhost 80
                ```
                <!-- illustrative -->
                ```bash
                ./build test
                ```
                """);
        assertThat(DocShell.problems(blocks.get(0))).isEmpty();
        assertThat(DocShell.commands(blocks.get(0))).extracting(DocShell.Command::args).containsExactly(
                List.of("--version"), List.of("demo", "--duration", "1s"), List.of("tunnel", "--help"));
        assertThat(DocShell.commands(blocks.get(1))).extracting(DocShell.Command::line).containsExactly(7);
        assertThat(DocShell.problems(blocks.get(2))).satisfiesExactly(
                p -> assertThat(p).startsWith("x.md:11: `./weft echo --listen :7000` is not one of"),
                p -> assertThat(p).startsWith("x.md:12: `cat p | ./weft stdio localhost 80` uses the shell")
                        .endsWith("(the block's fence is line 10)"));
        assertThat(DocShell.problems(blocks.get(3))).isEmpty();
        assertThat(DocShell.isIllustrative(blocks.get(3))).isTrue();
    }

    @Test
    void unlabelledShellExampleFailsUntilItsFenceNamesTheLanguage() {
        List<DocBlock> blocks = DocBlock.parse("x.md", """
                ```
                weft [-hqVv] COMMAND
                  demo     a summary; costs $ 0
                ```
                ```
                $ ./weft tunnel --listen :7000 --to localhost:80
                weft tunnel: refusing to listen on :7000
                ```
                <!-- illustrative -->
                ```
                server$ weft tunnel --listen 127.0.0.1:7000
                ```
                ```
                  ./build -q test -pl cli
                ```
                <!-- illustrative -->
                ```console
                server$ weft tunnel --listen 127.0.0.1:7000
                ```
                ```toml
                listen = "$ ./weft"
                ```
                """);
        assertThat(DocShell.problems(blocks.get(0))).isEmpty();
        assertThat(DocShell.problems(blocks.get(1))).singleElement().asString()
                .startsWith("x.md:6: `$ ./weft tunnel --listen :7000 --to localhost:80` is a shell example in a block"
                        + " without a language: label the fence ```console")
                .endsWith("(the block's fence is line 5)");
        assertThat(DocShell.problems(blocks.get(2))).singleElement().asString().startsWith("x.md:11: `server$ weft");
        assertThat(DocShell.problems(blocks.get(3))).singleElement().asString().startsWith("x.md:14: `./build -q test");
        assertThat(DocShell.problems(blocks.get(4))).isEmpty();
        assertThat(DocShell.problems(blocks.get(5))).isEmpty();
        assertThat(DocShell.HOW_TO_FIX).contains("label its fence ```console");
    }

    @Test
    void consolePromptOfAHostIsACommand() {
        DocBlock block = DocBlock.parse("x.md", """
                ```console
                laptop$ ./weft --version
                weft 0.1.0
                server$ ./weft tunnel --listen 127.0.0.1:7000 --to localhost:80
                ```
                """).getFirst();
        assertThat(DocShell.commands(block)).extracting(DocShell.Command::line).containsExactly(2, 4);
        assertThat(DocShell.problems(block)).singleElement().asString()
                .startsWith("x.md:4: `./weft tunnel --listen 127.0.0.1:7000 --to localhost:80` is not one of");
    }
}

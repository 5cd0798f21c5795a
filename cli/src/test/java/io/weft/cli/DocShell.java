package io.weft.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell blocks of the docs ({@code sh}, {@code bash}, {@code console}, {@code shell}): each is
 * either marked {@code <!-- illustrative -->} on the line above its fence (shown, never run) or
 * made only of {@code ./weft} commands that {@link DocsShellTest} runs: {@code --version}, {@code
 * --help}, {@code COMMAND --help}, {@code help COMMAND} and {@code demo} (given a one-second
 * {@code --duration} unless it names one). In a {@code console} block only prompt lines ({@code $ },
 * or a host's prompt like {@code server$ }) are commands; the rest is output. A block without a
 * language that holds a prompt line or starts a line with {@code ./weft} or {@code ./build} is a
 * shell example too, and fails until its fence names the language.
 */
final class DocShell {

    /** The fence languages that are shell. */
    static final Set<String> LANGUAGES = Set.of("sh", "bash", "console", "shell", "shell-session", "zsh");

    /** What to do when a block is neither runnable nor marked; every such message ends with it. */
    static final String HOW_TO_FIX = """
            How to fix a shell block of the docs (```sh, ```bash, ```console; checked by DocsShellTest, see DocShell):
              - most blocks are examples to read, not to run here (servers, pipes, other programs, the build):
                mark it with a comment on the line just above the ``` fence, invisible on GitHub:
                <!-- illustrative -->   or, with a reason,   <!-- illustrative: needs a server -->
              - or keep only commands DocsShellTest runs: ./weft --version, ./weft --help, ./weft COMMAND --help,
                ./weft help COMMAND, ./weft demo [options] (one per line, no pipes, redirections or other programs).
              - a block without a language is checked too when it holds a prompt ($ weft, server$ ./weft) or a
                ./weft or ./build line: label its fence ```console (a transcript: prompts and output) or ```sh.
            Run just this check: ./build -q test -pl netpoll,netpoll-epoll,yamux,cli -Dtest=DocsShellTest \
            -Dsurefire.failIfNoSpecifiedTests=false""";

    private static final Pattern METACHARACTERS = Pattern.compile("[|&;<>$`'\"\\\\(){}*?~]");

    /** A prompt at the start of a line: {@code $ }, or a host's ({@code server$ }, {@code user@host:~$ }). */
    private static final Pattern PROMPT = Pattern.compile("^\\s*[\\w.@~:/-]*\\$ +(?=\\S)");

    /** A line of an unlabelled block that makes it a shell example: a prompt, or a command of this repository. */
    private static final Pattern SHELL_LINE = Pattern.compile(PROMPT.pattern() + "|^\\s*\\./(weft|build)(\\s|$)");

    /** A command of a block: the page line and the arguments after {@code ./weft}. */
    record Command(int line, List<String> args) {}

    private DocShell() {}

    /** Whether {@code block} is a shell block. */
    static boolean isShell(DocBlock block) {
        return LANGUAGES.contains(block.language());
    }

    /** Whether {@code block} is marked {@code <!-- illustrative -->} (with or without a reason). */
    static boolean isIllustrative(DocBlock block) {
        return block.directive("illustrative").isPresent();
    }

    /**
     * The problems that keep {@code block} from running, {@code file:line: why}, one per line
     * that is not a command DocsShellTest runs; empty when it can run (or is marked illustrative).
     */
    static List<String> problems(DocBlock block) {
        if (block.language().isEmpty()) {
            return unlabelledProblems(block);
        }
        if (!isShell(block) || isIllustrative(block)) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        List<Logical> lines = logicalLines(block);
        for (Logical line : lines) {
            String why = whyNotRunnable(line.text());
            if (why != null) {
                problems.add(block.file() + ":" + line.line() + ": `" + line.text() + "` " + why
                        + " (the block's fence is line " + block.fenceLine() + ")");
            }
        }
        if (lines.isEmpty()) {
            problems.add(block + ": the block has no command");
        }
        return problems;
    }

    /**
     * A block without a language is a shell example in disguise when a line is a prompt or a
     * {@code ./weft}/{@code ./build} command: one problem, at its first such line, whether or not it
     * is marked illustrative (readers and the check need the language either way). Other
     * unlabelled blocks (usage text, diagrams, log output) have none.
     */
    private static List<String> unlabelledProblems(DocBlock block) {
        List<String> lines = block.lines();
        for (int i = 0; i < lines.size(); i++) {
            if (SHELL_LINE.matcher(lines.get(i)).find()) {
                return List.of(block.file() + ":" + block.lineOf(i) + ": `" + lines.get(i).strip()
                        + "` is a shell example in a block without a language: label the fence ```console"
                        + " (a transcript) or ```sh (the block's fence is line " + block.fenceLine() + ")");
            }
        }
        return List.of();
    }

    /** The commands of a runnable block, as {@code weft} arguments ready to run. */
    static List<Command> commands(DocBlock block) {
        List<Command> commands = new ArrayList<>();
        for (Logical line : logicalLines(block)) {
            List<String> words = List.of(line.text().split("\\s+"));
            List<String> args = new ArrayList<>(words.subList(1, words.size()));
            if (args.getFirst().equals("demo") && !args.contains("--duration") && !args.contains("-d")) {
                args.addAll(List.of("--duration", "1s"));
            }
            commands.add(new Command(line.line(), List.copyOf(args)));
        }
        return commands;
    }

    private record Logical(int line, String text) {}

    /** The block's commands: prompts, comments and output dropped, continued lines joined. */
    private static List<Logical> logicalLines(DocBlock block) {
        boolean console = block.language().equals("console") || block.language().equals("shell-session");
        List<Logical> result = new ArrayList<>();
        List<String> lines = block.lines();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int first = i;
            if (console) {
                Matcher prompt = PROMPT.matcher(line);
                if (!prompt.find()) {
                    continue;
                }
                line = line.substring(prompt.end());
            }
            StringBuilder text = new StringBuilder();
            while (line.endsWith("\\") && i + 1 < lines.size()) {
                text.append(line, 0, line.length() - 1).append(' ');
                line = lines.get(++i);
            }
            text.append(line);
            String command = text.toString().replaceAll("(^|\\s)#.*$", "").strip();
            if (!command.isEmpty()) {
                result.add(new Logical(block.lineOf(first), command));
            }
        }
        return result;
    }

    /** Why {@code command} is not one DocsShellTest runs, or null when it is. */
    private static String whyNotRunnable(String command) {
        if (METACHARACTERS.matcher(command).find()) {
            return "uses the shell (pipes, redirections, quotes, variables, ~); only plain ./weft commands run";
        }
        String[] words = command.split("\\s+");
        if (!words[0].equals("./weft")) {
            return "is not a ./weft command";
        }
        List<String> args = List.of(words).subList(1, words.length);
        if (args.equals(List.of("--version")) || args.equals(List.of("-V")) || args.equals(List.of("--help"))
                || args.equals(List.of("-h"))) {
            return null;
        }
        if (args.size() == 2 && (args.get(1).equals("--help") || args.get(1).equals("-h") || args.get(0).equals("help"))) {
            return null;
        }
        if (!args.isEmpty() && args.getFirst().equals("demo")) {
            return null;
        }
        return "is not one of the ./weft commands DocsShellTest runs (--version, --help, COMMAND --help, help COMMAND,"
                + " demo)";
    }
}

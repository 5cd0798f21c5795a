package io.weft.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fenced code block of the documentation (README.md and docs/**.md), as the docs tests see
 * it: where it is, its language, its lines (indentation of the fence removed) and the HTML
 * comments directly above its fence ({@code <!-- illustrative -->}, {@code <!-- java-context:
 * ... -->}, {@code <!-- java-run: ... -->}), which readers do not see. Blank lines may separate the
 * comments from the fence; any other line ends them.
 *
 * @param file the page, relative to the repository root ({@code docs/netpoll.md})
 * @param fenceLine the 1-based line of the opening fence
 * @param language the info string's first word ({@code java}, {@code sh}), empty when none
 * @param lines the block's content; line {@code i} (0-based) is page line {@code fenceLine + 1 + i}
 * @param directives the comments above the fence, top first
 */
record DocBlock(String file, int fenceLine, String language, List<String> lines, List<Directive> directives) {

    /** An HTML comment above a block: its text without {@code <!--}/{@code -->}, and its first line. */
    record Directive(int line, String text) {
        /** The directive's name: its text up to a colon or the end ({@code java-context}, {@code illustrative}). */
        String name() {
            int colon = text.indexOf(':');
            return (colon < 0 ? text : text.substring(0, colon)).trim();
        }

        /** The text after the name's colon, trimmed; empty when there is none. */
        String value() {
            int colon = text.indexOf(':');
            return colon < 0 ? "" : text.substring(colon + 1).trim();
        }
    }

    private static final Pattern FENCE = Pattern.compile("^( *)(`{3,}|~{3,})\\s*([^\\s`{]*)");

    /** Every block of README.md and the Markdown files under docs/, in page then line order. */
    static List<DocBlock> inRepository(Path root) {
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (var walk = Files.walk(root.resolve("docs"))) {
            walk.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<DocBlock> blocks = new ArrayList<>();
        for (Path page : pages) {
            try {
                blocks.addAll(parse(root.relativize(page).toString(), Files.readString(page)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return blocks;
    }

    /** The fenced blocks of {@code markdown}; {@code file} names the page in messages. */
    static List<DocBlock> parse(String file, String markdown) {
        List<String> page = markdown.lines().toList();
        List<DocBlock> blocks = new ArrayList<>();
        for (int i = 0; i < page.size(); i++) {
            Matcher open = FENCE.matcher(page.get(i));
            if (!open.find() || open.group(2).charAt(0) == '`' && page.get(i).substring(open.end(2)).contains("`")) {
                continue; // not a fence: a backtick fence's info string has no backtick (CommonMark)
            }
            int indent = open.group(1).length();
            String fence = open.group(2);
            List<String> content = new ArrayList<>();
            int j = i + 1;
            while (j < page.size() && !isClosing(page.get(j), fence)) {
                String line = page.get(j);
                int strip = 0;
                while (strip < indent && strip < line.length() && line.charAt(strip) == ' ') {
                    strip++;
                }
                content.add(line.substring(strip));
                j++;
            }
            blocks.add(new DocBlock(file, i + 1, open.group(3), List.copyOf(content), directivesAbove(page, i)));
            i = j;
        }
        return blocks;
    }

    private static boolean isClosing(String line, String fence) {
        String trimmed = line.strip();
        return trimmed.startsWith(fence) && trimmed.chars().allMatch(c -> c == fence.charAt(0));
    }

    private static List<Directive> directivesAbove(List<String> page, int fence) {
        List<Directive> found = new ArrayList<>();
        int j = fence - 1;
        while (true) {
            while (j >= 0 && page.get(j).isBlank()) {
                j--;
            }
            if (j < 0 || !page.get(j).strip().endsWith("-->")) {
                break;
            }
            int start = j;
            while (start >= 0 && !page.get(start).contains("<!--")) {
                start--;
            }
            if (start < 0) {
                break;
            }
            String text = String.join("\n", page.subList(start, j + 1)).strip();
            text = text.substring(text.indexOf("<!--") + 4, text.length() - 3).strip();
            found.add(new Directive(start + 1, text));
            j = start - 1;
        }
        Collections.reverse(found);
        return List.copyOf(found);
    }

    /** The page line of content line {@code index} (0-based). */
    int lineOf(int index) {
        return fenceLine + 1 + index;
    }

    /** The first directive named {@code name}, if any. */
    Optional<Directive> directive(String name) {
        return directives.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** {@code file:fenceLine}, the block's name in test reports and messages. */
    @Override
    public String toString() {
        return file + ":" + fenceLine;
    }
}

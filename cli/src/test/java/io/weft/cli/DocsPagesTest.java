package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pages themselves (README.md and docs/**.md): no merge-conflict markers left behind. A
 * merge once left {@code <<<<<<< HEAD} … {@code >>>>>>> memory} around most of
 * docs/reliability.md, and nothing noticed, because Markdown renders them as text.
 */
@Timeout(30)
class DocsPagesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** A conflict marker line as git writes it ({@code =======} alone is a setext heading, so it is left out). */
    private static final Pattern CONFLICT_MARKER = Pattern.compile("^(<{7}|>{7}|\\|{7})( .*)?$");

    static List<String> conflictMarkers(String file, String markdown) {
        List<String> found = new ArrayList<>();
        List<String> lines = markdown.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (CONFLICT_MARKER.matcher(lines.get(i)).matches()) {
                found.add(file + ":" + (i + 1) + ": " + lines.get(i));
            }
        }
        return found;
    }

    @Test
    void noPageHasConflictMarkers() throws IOException {
        List<String> found = new ArrayList<>(conflictMarkers("README.md", Files.readString(ROOT.resolve("README.md"))));
        try (Stream<Path> pages = Files.walk(ROOT.resolve("docs"))) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                found.addAll(conflictMarkers(ROOT.relativize(page).toString(), Files.readString(page)));
            }
        }
        assertThat(found).as("merge-conflict markers in the docs").isEmpty();
    }

    @Test
    void theCheckFindsMarkers() {
        assertThat(conflictMarkers("x.md", "# T\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> memory\n"))
                .containsExactly("x.md:2: <<<<<<< HEAD", "x.md:6: >>>>>>> memory");
        assertThat(conflictMarkers("x.md", "Title\n=======\n```\n<<<<<<<< not one\n```\n")).isEmpty();
    }
}

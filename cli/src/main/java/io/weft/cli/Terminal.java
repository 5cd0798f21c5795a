package io.weft.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the command knows about where stderr goes: a terminal (redraw a status line in place) or
 * a file or pipe (print plain lines). Stateless; any thread.
 */
final class Terminal {

    private Terminal() {}

    /**
     * Whether stderr is a terminal. On Linux this reads {@code /proc/self/fd/2}, which answers
     * isatty(2) exactly; elsewhere it falls back to {@code System.console() != null}, which only
     * says stdin and stdout are. {@code WEFT_PROGRESS=plain} forces plain lines and
     * {@code TERM=dumb} is never treated as a terminal.
     */
    static boolean stderrIsTerminal() {
        String forced = System.getenv("WEFT_PROGRESS");
        if ("plain".equals(forced)) {
            return false;
        }
        if ("tty".equals(forced)) {
            return true;
        }
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.exists(Path.of("/proc/self/fd"))) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return false;
            }
        }
        return System.console() != null;
    }

    /** The terminal width from {@code COLUMNS}, else 80. */
    static int columns() {
        try {
            int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80").strip());
            return c >= 40 ? c : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /** A bar like {@code [########------]} filled to {@code fraction} (clamped to 0..1). */
    static String bar(double fraction, int width) {
        double f = Math.max(0, Math.min(1, fraction));
        int filled = (int) Math.round(f * width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }
}

package io.weft.cli;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Routes {@link System.Logger} (which defaults to java.util.logging) to stderr, one line per
 * record, at the level {@code -v}/{@code -q} ask for. Nothing is ever logged to stdout: in stdio
 * mode stdout carries yamux frames.
 *
 * <p>Levels: {@code -q} errors only; default: the command's own notices plus library warnings;
 * {@code -v} library info and stream open/close; {@code -vv} debug; {@code -vvv} everything.
 * Called once from the main thread before a command runs.
 */
final class Logging {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    /** Kept strongly reachable: JUL holds loggers weakly and would forget their levels. */
    private static final Logger ROOT = Logger.getLogger("");
    private static final Logger CLI = Logger.getLogger("io.weft.cli");
    /**
     * The JDK logs every {@code Runtime.exit} at debug level with a stack trace; with
     * {@code -vv} that would end every run. It says nothing about Weft: always off.
     */
    private static final Logger JDK_RUNTIME = Logger.getLogger("java.lang.Runtime");

    private Logging() {}

    /**
     * Installs the stderr handler.
     *
     * @param verbosity number of {@code -v} flags
     * @param quiet whether {@code -q} was given (wins over {@code -v})
     */
    static void configure(int verbosity, boolean quiet) {
        Level library;
        Level cli;
        if (quiet) {
            library = Level.SEVERE;
            cli = Level.SEVERE;
        } else {
            switch (verbosity) {
                case 0 -> { library = Level.WARNING; cli = Level.INFO; }
                case 1 -> { library = Level.INFO; cli = Level.FINE; }
                case 2 -> { library = Level.FINE; cli = Level.FINE; }
                default -> { library = Level.ALL; cli = Level.ALL; }
            }
        }
        for (Handler h : ROOT.getHandlers()) {
            ROOT.removeHandler(h);
        }
        Handler handler = new ConsoleHandler(); // System.err, flushed after every record
        handler.setFormatter(new OneLine());
        handler.setLevel(Level.ALL);
        ROOT.addHandler(handler);
        ROOT.setLevel(library);
        CLI.setLevel(cli);
        JDK_RUNTIME.setLevel(Level.OFF);
    }

    /** {@code 12:00:01.234 WARN  yamux: message} plus the exception's one-line summary. */
    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(128);
            sb.append(LocalTime.now().format(TIME)).append(' ').append(levelName(r.getLevel())).append(' ');
            String name = r.getLoggerName() == null ? "" : r.getLoggerName();
            sb.append(name.startsWith("io.weft.") ? name.substring("io.weft.".length()) : name).append(": ");
            sb.append(GoDuration.formatIn(formatMessage(r)));
            Throwable t = r.getThrown();
            if (t != null) {
                if (r.getLevel().intValue() <= Level.FINE.intValue()) {
                    java.io.StringWriter w = new java.io.StringWriter();
                    t.printStackTrace(new java.io.PrintWriter(w));
                    sb.append(System.lineSeparator()).append(w.toString().stripTrailing());
                } else {
                    sb.append(": ").append(Failures.describe(t));
                }
            }
            return sb.append(System.lineSeparator()).toString();
        }

        private static String levelName(Level level) {
            int v = level.intValue();
            if (v >= Level.SEVERE.intValue()) {
                return "ERROR";
            } else if (v >= Level.WARNING.intValue()) {
                return "WARN ";
            } else if (v >= Level.INFO.intValue()) {
                return "INFO ";
            } else if (v >= Level.FINE.intValue()) {
                return "DEBUG";
            }
            return "TRACE";
        }
    }
}

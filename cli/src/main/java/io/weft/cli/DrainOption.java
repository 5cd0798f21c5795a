package io.weft.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --drain-timeout}: how long a graceful stop (SIGTERM, a first Ctrl-C) lets open streams
 * finish after GoAway before the process ends anyway. {@code --drain} is its former name, kept
 * as a hidden alias. A picocli mixin, filled in on the main thread.
 */
final class DrainOption {

    @Option(names = "--drain-timeout", paramLabel = "DURATION", converter = GoDuration.class, defaultValue = "2s",
            description = "On SIGTERM or Ctrl-C, how long open streams may finish after GoAway (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /** The former name of {@code --drain-timeout}. */
    @Option(names = "--drain", paramLabel = "DURATION", converter = GoDuration.class, hidden = true,
            description = "Former name of --drain-timeout.")
    void drain(Duration value) {
        timeout = value;
    }

    /** The drain timeout; 2 s unless given. */
    Duration timeout() {
        return timeout;
    }
}

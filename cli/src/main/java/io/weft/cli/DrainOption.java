package io.weft.cli;

import java.time.Duration;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code --drain-timeout}: how long a graceful stop (SIGTERM, a first Ctrl-C) lets open streams
 * finish after GoAway before the process ends anyway; 2 s unless given. {@code --drain} is its
 * former name, kept as a hidden alias; the two form an exclusive group, so giving both is a
 * usage error and a config file's {@code drain-timeout} yields to {@code --drain} on the command
 * line. A picocli mixin, filled in on the main thread.
 */
@Command(addMethodSubcommands = false) // a mixin: no method scan for subcommands (start-up time)
final class DrainOption {

    /** The drain timeout when neither name is given. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Names names;

    static final class Names {
        @Option(names = "--drain-timeout", paramLabel = "DURATION", converter = GoDuration.class,
                description = "On SIGTERM or Ctrl-C, how long open streams may finish after GoAway (default: 2s).")
        Duration timeout;

        @Option(names = "--drain", paramLabel = "DURATION", converter = GoDuration.class, hidden = true,
                description = "Former name of --drain-timeout.")
        Duration formerName;
    }

    /** The drain timeout: {@code --drain-timeout}, else {@code --drain}, else {@link #DEFAULT_TIMEOUT}. */
    Duration timeout() {
        if (names == null) {
            return DEFAULT_TIMEOUT;
        }
        return names.timeout != null ? names.timeout : names.formerName != null ? names.formerName : DEFAULT_TIMEOUT;
    }
}

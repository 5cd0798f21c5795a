package io.weft.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE}, on the long-running commands ({@code tunnel}, {@code echo}). The file
 * is read by {@link ConfigFile} before the command line is parsed for real; the command itself
 * never looks at this field. A picocli mixin.
 */
@Command(addMethodSubcommands = false) // a mixin: no method scan for subcommands (start-up time)
final class ConfigOption {

    @Option(names = ConfigFile.OPTION, paramLabel = "FILE",
            description = "Read options from this TOML file: long option names without '--' as keys"
                    + " (listen = \":7000\", token-file = \"/etc/weft/token\", max-retries = 5, insecure = true,"
                    + " repeatable options as arrays); options on the command line win.")
    Path file;
}

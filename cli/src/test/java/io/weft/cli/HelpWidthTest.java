package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Every line of every command's help footer (the examples, exit codes and notes under
 * {@code --help}) fits the 80 columns picocli renders help in. picocli wraps a longer line at a
 * word, which breaks an aligned example across two lines and leaves a one-word line in a
 * hand-wrapped paragraph.
 */
@Timeout(30)
class HelpWidthTest {

    /** picocli's default usage width, and the width of a terminal nobody resized. */
    private static final int COLUMNS = 80;

    @Test
    void everyFooterLineFitsEightyColumns() {
        List<String> tooLong = new ArrayList<>();
        collect(Main.commandLine(), tooLong);
        assertThat(tooLong).as("help footer lines longer than %d columns (picocli wraps them)", COLUMNS).isEmpty();
    }

    @Test
    void theCheckSeesEveryCommand() {
        List<String> names = new ArrayList<>();
        walk(Main.commandLine(), names);
        assertThat(names).contains("weft", "weft tunnel", "weft echo", "weft stdio", "weft ping", "weft bench",
                "weft demo", "weft tls", "weft tls init");
    }

    private static void collect(CommandLine command, List<String> tooLong) {
        for (String entry : command.getCommandSpec().usageMessage().footer()) {
            for (String line : String.format(entry).split("\\R", -1)) {
                if (line.length() > COLUMNS) {
                    tooLong.add(command.getCommandSpec().qualifiedName() + " (" + line.length() + "): " + line);
                }
            }
        }
        command.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, tooLong));
    }

    private static void walk(CommandLine command, List<String> names) {
        names.add(command.getCommandSpec().qualifiedName());
        command.getSubcommands().values().stream().distinct().forEach(sub -> walk(sub, names));
    }
}

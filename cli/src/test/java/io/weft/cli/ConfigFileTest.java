package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --config FILE}: the mapping of TOML keys onto picocli options, in process. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigFileTest {

    @TempDir
    Path dir;

    private Path write(String toml) throws IOException {
        Path file = dir.resolve("weft.toml");
        Files.writeString(file, toml);
        return file;
    }

    /** Expands {@code weft ARGS} against the real command tree and parses the result; returns the tunnel command. */
    private static TunnelCommand tunnel(String... args) throws IOException {
        String[] expanded = ConfigFile.expand(Main::commandLine, args);
        CommandLine cl = Main.commandLine();
        cl.parseArgs(expanded);
        return cl.getSubcommands().get("tunnel").getCommand();
    }

    private String error(String toml, String... extraArgs) throws IOException {
        Path file = write(toml);
        List<String> args = new java.util.ArrayList<>(List.of("tunnel", "--config", file.toString()));
        args.addAll(List.of(extraArgs));
        try {
            ConfigFile.expand(Main::commandLine, args.toArray(String[]::new));
        } catch (ConfigFile.ConfigFileException e) {
            assertThat(e.getMessage()).startsWith(file + ":");
            return e.getMessage().substring(file.toString().length() + 1);
        }
        throw new AssertionError("no error for:\n" + toml);
    }

    @Test
    void argumentsWithoutConfigAreLeftAlone() throws IOException {
        String[] args = {"tunnel", "--listen", ":7000", "--to", "localhost:80"};
        assertThat(ConfigFile.expand(Main::commandLine, args)).isSameAs(args);
    }

    @Test
    void everyKindOfValueReachesItsOption() throws IOException {
        Path token = dir.resolve("token");
        Path file = write("""
                # a tunnel's exit side
                listen = "127.0.0.1:7000"
                to = "localhost:80"
                token-file = "%s"
                insecure = true
                no-autotune = false
                max-retries = 5
                retry-min = "250ms"
                window = "1MiB"
                max-window = 33554432
                drain-timeout = "7s"
                verbose = 2
                """.formatted(token));
        TunnelCommand t = tunnel("tunnel", "--config=" + file);
        assertThat(t.transport.listen).hasToString("127.0.0.1:7000");
        assertThat(t.role.to).hasToString("localhost:80");
        assertThat(t.tokenOption.tokenFile).isEqualTo(token);
        assertThat(t.insecure).isTrue();
        assertThat(t.sessionOptions.noAutoTune).isFalse();
        assertThat(t.maxRetries).isEqualTo(5);
        assertThat(t.retryMin).isEqualTo(Duration.ofMillis(250));
        assertThat(t.sessionOptions.windowBytes).isEqualTo(1L << 20);
        assertThat(t.sessionOptions.maxWindowBytes).isEqualTo(32L << 20);
        assertThat(t.drainOption.timeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void theCommandLineWinsOverTheFile() throws IOException {
        Path file = write("""
                listen = "127.0.0.1:7000"
                from = "127.0.0.1:8080"
                max-retries = 5
                drain-timeout = "7s"
                """);
        TunnelCommand t = tunnel("tunnel", "--config", file.toString(), "--max-retries", "2",
                "--connect", "127.0.0.1:9000", "--drain", "1s");
        assertThat(t.maxRetries).isEqualTo(2);
        assertThat(t.transport.connect).as("--connect replaces the file's listen").hasToString("127.0.0.1:9000");
        assertThat(t.transport.listen).isNull();
        assertThat(t.role.from).hasToString("127.0.0.1:8080");
        assertThat(t.drainOption.timeout()).as("the hidden alias counts as the option").isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theFormerDrainNameIsAcceptedButNotSuggested() throws IOException {
        Path file = write("listen = \"127.0.0.1:7000\"\nto = \"127.0.0.1:80\"\ndrain = \"3s\"\n");
        assertThat(tunnel("tunnel", "--config", file.toString()).drainOption.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(error("drainn = \"3s\"\n")).isEqualTo("1: unknown key \"drainn\" (did you mean \"drain-timeout\"?)");
    }

    @Test
    void anUnknownKeyIsAnErrorWithItsLineAndTheNearestKey() throws IOException {
        String toml = """
                # weft tunnel

                to = "localhost:80"
                token-file = "/etc/weft/token"
                # below, a typo


                lisen = ":7000"
                """;
        assertThat(error(toml)).isEqualTo("8: unknown key \"lisen\" (did you mean \"listen\"?)");
        assertThat(error("frobnicate = 1\n")).isEqualTo("1: unknown key \"frobnicate\"");
        assertThat(error("maxretries = 1\n")).isEqualTo("1: unknown key \"maxretries\" (did you mean \"max-retries\"?)");
        assertThat(error("to = \"x:1\"\ntoken = \"s3cret\"\n"))
                .isEqualTo("2: unknown key \"token\": secrets stay in files of their own; use token-file = \"PATH\"");
    }

    @Test
    void aValueOfTheWrongTypeIsAnErrorWithItsLine() throws IOException {
        assertThat(error("to = \"x:1\"\nmax-retries = \"five\"\n")).isEqualTo("2: \"max-retries\" must be an integer, not a string");
        assertThat(error("insecure = \"yes\"\n")).isEqualTo("1: \"insecure\" must be true or false, not a string");
        assertThat(error("listen = 7000\n")).isEqualTo("1: \"listen\" must be a string (ADDR), not an integer");
        assertThat(error("to = [\"a:1\", \"b:2\"]\n")).isEqualTo("1: \"to\" takes one value, not an array");
        assertThat(error("retry-min = 1.5\n")).isEqualTo("1: \"retry-min\" must be a string (DURATION), not a float");
        assertThat(error("keepalive = 30\n")).isEqualTo("1: \"keepalive\" must be a string (DURATION), not an integer");
    }

    @Test
    void aValueTheOptionRefusesIsAnErrorWithItsLine() throws IOException {
        assertThat(error("listen = \"127.0.0.1:7000\"\nto = \"localhost:80\"\nretry-min = \"5x\"\n"))
                .startsWith("3: \"retry-min\": Invalid value for option '--retry-min': invalid duration '...'");
        assertThat(error("window = \"lots\"\n")).startsWith("1: \"window\": Invalid value for option '--window'");
        assertThat(error("to = \"localhost:99999\"\n")).startsWith("1: \"to\": Invalid value for option '--to'");
    }

    @Test
    void aRefusedValueIsNotEchoed() throws IOException {
        String secret = "hunter2-typed-in-the-wrong-place";
        assertThat(error("to = \"x:1\"\nlisten = \"" + secret + "\"\n"))
                .startsWith("2: \"listen\": Invalid value for option '--listen'").doesNotContain(secret);
        assertThat(error("to = \"x:1\"\nwindow = \"" + secret + "\"\n")).doesNotContain(secret);
        assertThat(error("connect = \"x:1\"\nforward = [\"8080:db:5432\", \"" + secret + "\"]\n"))
                .startsWith("2: \"forward\": ").doesNotContain(secret);
        assertThat(error("to = \"x:1\"\nlisten = \"p\"\n")).as("a short value leaves the rest of the message alone")
                .contains("invalid address '...': missing port; expected host:port");
    }

    @Test
    void invalidTomlIsAnErrorWithItsLine() throws IOException {
        assertThat(error("to = \"localhost:80\"\nlisten = \":7000\n")).startsWith("2: invalid TOML: ");
        assertThat(error("to = \"a:1\"\n\nto = \"b:2\"\n")).isEqualTo("3: duplicate key \"to\" (first set on line 1)");
    }

    @Test
    void tablesAndTwoMembersOfAnExclusiveGroupAreErrors() throws IOException {
        assertThat(error("to = \"a:1\"\n\n[tunnel]\nlisten = \":7000\"\n"))
                .startsWith("3: [tunnel]: tables are not supported");
        assertThat(error("listen = \":7000\"\nto = \"a:1\"\nconnect = \"b:2\"\n"))
                .isEqualTo("3: \"connect\" and \"listen\" (line 1) cannot both be set");
        assertThat(error("drain = \"1s\"\ndrain-timeout = \"2s\"\n"))
                .isEqualTo("2: \"drain-timeout\" and \"drain\" (line 1) cannot both be set");
    }

    @Test
    void anUnreadableFileIsOneLine() {
        assertThatThrownBy(() -> ConfigFile.expand(Main::commandLine,
                new String[] {"tunnel", "--config", dir.resolve("missing.toml").toString()}))
                .isInstanceOf(ConfigFile.ConfigFileException.class)
                .hasMessageStartingWith("cannot read config file " + dir.resolve("missing.toml"));
    }

    @Test
    void aCommandWithoutConfigLeavesTheUnknownOptionToPicocli() throws IOException {
        String[] args = {"ping", "--config", write("").toString(), "127.0.0.1:1"};
        assertThat(ConfigFile.expand(Main::commandLine, args)).isSameAs(args);
    }

    // A command with a repeatable option, as --forward and --allow are: the mapping is not a hand list.

    @Command(name = "top", subcommands = Service.class)
    static final class Top {}

    @Command(name = "service")
    static final class Service {
        @Mixin
        ConfigOption config;

        @Option(names = "--forward", paramLabel = "SPEC")
        List<String> forwards;

        @Option(names = "--port", paramLabel = "N")
        List<Integer> ports;

        @ArgGroup(exclusive = false)
        Pair pair;

        static final class Pair {
            @Option(names = "--a")
            String a;

            @Option(names = "--b")
            String b;
        }
    }

    private static Service service(String... args) throws IOException {
        String[] expanded = ConfigFile.expand(() -> new CommandLine(new Top()), args);
        CommandLine cl = new CommandLine(new Top());
        cl.parseArgs(expanded);
        return cl.getSubcommands().get("service").getCommand();
    }

    @Test
    void aRepeatableOptionTakesAnArrayAndTheCommandLineReplacesIt() throws IOException {
        Path file = write("forward = [\"a:1\", \"b:2\", \"c:3\"]\nport = [1, 2]\na = \"x\"\nb = \"y\"\n");
        Service s = service("service", "--config", file.toString());
        assertThat(s.forwards).containsExactly("a:1", "b:2", "c:3");
        assertThat(s.ports).containsExactly(1, 2);
        assertThat(s.pair.a).isEqualTo("x");
        assertThat(s.pair.b).isEqualTo("y");

        assertThat(service("service", "--config", file.toString(), "--forward", "d:4").forwards).containsExactly("d:4");
        assertThat(service("service", "--config", write("forward = \"e:5\"\n").toString()).forwards).containsExactly("e:5");
    }

    @Test
    void aRepeatableOptionChecksEveryElement() throws IOException {
        Path file = write("forward = [\"a:1\", 2]\n");
        assertThatThrownBy(() -> service("service", "--config", file.toString()))
                .hasMessage(file + ":1: \"forward\" must be an array of strings (SPEC), not an integer");
    }

    @Test
    void keyLinesSkipMultiLineStringsAndKeysInsideTables() {
        String toml = """
                a = '''
                b = 1
                '''
                "quoted key" = 2
                c.d = 3
                e = [
                  "x = 1",
                ]
                [f]
                g = 4
                [[h]]
                b = 5
                """;
        assertThat(TomlKeyLines.of(toml)).containsOnlyKeys("a", "quoted key", "c", "e", "f", "h")
                .containsEntry("a", 1).containsEntry("quoted key", 4).containsEntry("c", 5).containsEntry("e", 6)
                .containsEntry("f", 9).containsEntry("h", 11);
    }

    @Test
    void distanceCountsEditsAndTranspositions() {
        assertThat(ConfigFile.distance("listen", "listen")).isZero();
        assertThat(ConfigFile.distance("lisen", "listen")).isEqualTo(1);
        assertThat(ConfigFile.distance("lsiten", "listen")).isEqualTo(1);
        assertThat(ConfigFile.distance("connect", "listen")).isGreaterThan(2);
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The command line itself, in process: help, usage errors and their exit codes. */
class CommandLineTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void helpListsEveryCommandAndTheExitCodes() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("demo", "stdio", "tunnel", "echo", "ping", "bench",
                "130  interrupted", "4    keepalive timeout", "5    authentication failed", "tls");
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "stdio", "tunnel", "echo", "ping", "bench", "tls", "tls init"})
    void everyCommandHasHelpWithExamples(String command) {
        List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
        args.add("--help");
        assertThat(run(args.toArray(String[]::new))).isZero();
        assertThat(out.toString()).contains("Usage: weft " + command, "Examples:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tunnel", "echo", "ping", "bench"})
    void tlsAndTokenOptionsAppearOnEveryCommandThatMakesConnections(String command) {
        assertThat(run(command, "--help")).isZero();
        assertThat(out.toString()).contains("--tls-cert=FILE", "--tls-key=FILE", "--tls-ca=FILE", "--tls-pin=sha256:HEX",
                "--tls-client-ca=FILE", "--tls-server-name=NAME", "--tls-handshake-timeout=DURATION", "--token-file=FILE");
    }

    @Test
    void tunnelHelpListsExitCodeFive() {
        assertThat(run("tunnel", "--help")).isZero();
        assertThat(out.toString()).contains("5 authentication failed", "--insecure");
    }

    @Test
    void sessionOptionsAppearOnEverySessionCommand() {
        assertThat(run("tunnel", "--help")).isZero();
        assertThat(out.toString()).contains("--keepalive=DURATION", "--no-keepalive", "--window=SIZE",
                "--write-timeout=DURATION", "--accept-backlog=N", "--stream-open-timeout=DURATION");
    }

    @Test
    void unknownOptionIsOneLineAndExitTwo() {
        assertThat(run("--no-such-flag")).isEqualTo(Failures.USAGE);
        assertThat(err.toString()).startsWith("weft: Unknown option: '--no-such-flag'");
        assertThat(err.toString().lines().count()).isEqualTo(1);
    }

    @Test
    void unknownOptionOnSubcommandNamesTheSubcommand() {
        assertThat(run("echo", "--listen", ":0", "--frobnicate")).isEqualTo(Failures.USAGE);
        assertThat(err.toString()).startsWith("weft echo: Unknown option: '--frobnicate'");
    }

    @Test
    void badDurationIsUsageError() {
        assertThat(run("tunnel", "--listen", ":7000", "--to", "localhost:80", "--keepalive", "5x")).isEqualTo(2);
        assertThat(err.toString()).contains("invalid duration '5x'").contains("1m30s");
    }

    @Test
    void goDurationsAreAcceptedWhereIsoWasRequired() {
        // picocli's stock converter rejected "5s"; ours takes it. A bad --count stops the run after parsing.
        assertThat(run("ping", "--keepalive", "5s", "--write-timeout", "1m30s", "-c", "-1", "127.0.0.1:9")).isEqualTo(2);
        assertThat(err.toString()).contains("invalid --count -1: at least 1").doesNotContain("duration");
    }

    @Test
    void pingCountZeroIsRefusedAsIputilsDoes() {
        assertThat(run("ping", "-c", "0", "127.0.0.1:9")).isEqualTo(Failures.USAGE);
        assertThat(err.toString().strip()).isEqualTo("weft ping: invalid --count 0: at least 1 (leave -c out to ping"
                + " until interrupted)");
    }

    @Test
    void badSizeIsUsageError() {
        assertThat(run("demo", "--chunk-size", "12XB")).isEqualTo(2);
        assertThat(err.toString()).contains("invalid size '12XB'");
    }

    @Test
    void badAddressIsUsageError() {
        assertThat(run("tunnel", "--listen", "::1:7000", "--to", "localhost:80")).isEqualTo(2);
        assertThat(err.toString()).contains("invalid address '::1:7000': IPv6 addresses need brackets");
    }

    @Test
    void listenAndConnectAreMutuallyExclusive() {
        assertThat(run("tunnel", "--listen", ":7000", "--connect", "h:7000", "--to", "localhost:80")).isEqualTo(2);
        assertThat(err.toString()).contains("mutually exclusive");
    }

    @Test
    void tunnelNeedsARole() {
        assertThat(run("tunnel", "--listen", ":7000")).isEqualTo(2);
        assertThat(err.toString()).contains("--from", "--to");
    }

    @Test
    void stdioWithoutArgumentsIsUsageError() {
        assertThat(run("stdio")).isEqualTo(2);
        assertThat(run("stdio", "localhost")).isEqualTo(2);
        assertThat(err.toString()).contains("expected HOST PORT");
    }

    @Test
    void stdioRejectsBadPortBeforeTouchingStdout() {
        assertThat(run("stdio", "localhost", "http")).isEqualTo(2);
        assertThat(err.toString()).contains("invalid port 'http': not a number");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void stdioNamesTheBadPortAloneNotBothArgumentsJoined() {
        assertThat(run("stdio", "localhost", "notaport")).isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo("weft stdio: invalid port 'notaport': not a number from 0 to 65535");
        err.getBuffer().setLength(0);
        assertThat(run("stdio", "-l", "99999")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("weft stdio: invalid port '99999': out of range 0-65535");
    }

    @Test
    void noCommandPrintsTheUsageAndIsAUsageError() {
        assertThat(run()).isEqualTo(Failures.USAGE);
        assertThat(err.toString()).startsWith("Usage: weft").contains("demo", "stdio", "tunnel");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void helpAndVersionStillExitZero() {
        assertThat(run("--help")).isZero();
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).contains("netpoll poller: ");
    }

    @Test
    void versionWithoutPicocliPrintsWhatPicocliPrints() {
        assertThat(run("--version")).isZero();
        StringWriter fast = new StringWriter();
        Main.printVersion(new PrintWriter(fast));
        assertThat(fast.toString()).isEqualTo(out.toString()).startsWith("weft ").contains("netpoll poller: ");
    }

    @Test
    void windowBelowTheProtocolMinimumIsUsageError() {
        assertThat(run("ping", "--window", "1KiB", "127.0.0.1:9")).isEqualTo(2);
        assertThat(err.toString()).startsWith("weft ping: ").contains("indow");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--bogus",
        "demo --duration 3x",
        "demo --durration 3s",
        "tunnel --listen nowhere --to x:1",
        "tunnel --listen :1 --connect :2 --to x:1",
        "ping",
        "ping localhost",
        "stdio -U",
        "bench --size 1ZiB",
        "echo --listen :0 --window 1KiB",
        "echo --listen nosuchhost.invalid:7000",
        "demo --streams 0",
        "stdio -l 99999",
        "stdio localhost notaport",
        "tunnel --listen :0 --to 127.0.0.1:1",
        "tunnel --listen [::]:0 --to 127.0.0.1:1 --token-file /dev/null",
        "tunnel --listen 127.0.0.1:0 --to 127.0.0.1:1 --tls-cert cert.pem",
        "tunnel --listen 127.0.0.1:0 --to 127.0.0.1:1 --tls-key key.pem",
        "tunnel --listen 127.0.0.1:0 --to 127.0.0.1:1 --tls-pin sha256:0000000000000000000000000000000000000000000000000000000000000000",
        "tunnel --listen 127.0.0.1:0 --to 127.0.0.1:1 --tls-cert /nonexistent/cert.pem --tls-key /nonexistent/key.pem",
        "tunnel --connect 127.0.0.1:1 --from 127.0.0.1:0 --tls-ca ca.pem --tls-pin sha256:0000000000000000000000000000000000000000000000000000000000000000",
        "tunnel --connect 127.0.0.1:1 --from 127.0.0.1:0 --tls-cert cert.pem",
        "tunnel --connect 127.0.0.1:1 --from 127.0.0.1:0 --tls-client-ca ca.pem",
        "tunnel --connect 127.0.0.1:1 --from 127.0.0.1:0 --insecure",
        "tunnel --connect 127.0.0.1:1 --from 127.0.0.1:0 --token-file /nonexistent/token",
        "tunnel --connect 127.0.0.1:1 --from 127.0.0.1:0 --token-file /dev/null",
        "ping --tls-pin sha256:xyz 127.0.0.1:1",
        "ping --tls-ca /nonexistent/ca.pem 127.0.0.1:1",
        "ping --tls-handshake-timeout 0s --tls 127.0.0.1:1",
        "echo --listen 127.0.0.1:0 --tls-client-ca ca.pem",
        "bench --tls-pin sha256:0000000000000000000000000000000000000000000000000000000000000000",
        "tls init"
    })
    void everyUsageErrorIsExactlyOneLineWithExitTwo(String commandLine) {
        assertThat(run(commandLine.split(" "))).isEqualTo(Failures.USAGE);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).startsWith("weft");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void tlsUsageErrorsSayWhatIsWrong() {
        assertThat(run("tunnel", "--connect", "127.0.0.1:1", "--from", "127.0.0.1:0", "--tls-ca", "a.pem",
                "--tls-pin", "sha256:" + "0".repeat(64))).isEqualTo(2);
        assertThat(err.toString()).contains("--tls-ca and --tls-pin are alternatives");
        err.getBuffer().setLength(0);
        assertThat(run("ping", "--tls-pin", "sha256:xyz", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).startsWith("weft ping: ").contains("invalid pin 'sha256:xyz'");
        err.getBuffer().setLength(0);
        assertThat(run("ping", "--tls-ca", "/nonexistent/ca.pem", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).startsWith("weft ping: ").contains("/nonexistent/ca.pem");
        err.getBuffer().setLength(0);
        assertThat(run("tunnel", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:1", "--tls-cert", "c.pem")).isEqualTo(2);
        assertThat(err.toString()).contains("--tls-cert needs --tls-key");
        err.getBuffer().setLength(0);
        assertThat(run("tunnel", "--connect", "127.0.0.1:1", "--from", "127.0.0.1:0", "--token-file", "/dev/null")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("weft tunnel: token file /dev/null is empty");
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code weft echo}, {@code weft ping}, {@code weft bench} and the CLI's failure exits, as processes. */
class EchoPingEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void pingAgainstEchoPrintsPing8StyleLinesAndStatistics() throws Exception {
        try (WeftProcess echo = WeftProcess.start("echo", "--listen", "127.0.0.1:0")) {
            String address = echo.awaitListening(TIMEOUT);
            WeftProcess ping = WeftProcess.run(TIMEOUT, "ping", "-c", "3", "-i", "100ms", address);
            ping.assertExit(0, TIMEOUT);
            assertThat(ping.stdout())
                    .startsWith("PING " + address + " (yamux over tcp)")
                    .contains("pong from " + address + ": seq=1 time=", "seq=3 time=")
                    .contains("--- " + address + " yamux ping statistics ---")
                    .contains("3 pings transmitted, 3 received, 0% loss")
                    .containsPattern("rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms");
        }
    }

    @Test
    void quietPingPrintsTheFirstLineAndTheStatisticsOnlyAsIputilsDoes() throws Exception {
        try (WeftProcess echo = WeftProcess.start("echo", "--listen", "127.0.0.1:0")) {
            String address = echo.awaitListening(TIMEOUT);
            WeftProcess ping = WeftProcess.run(TIMEOUT, "ping", "-q", "-c", "3", "-i", "10ms", address);
            ping.assertExit(0, TIMEOUT);
            assertThat(ping.stdout().lines().toList()).as(ping.stdout()).hasSize(5)
                    .startsWith("PING " + address + " (yamux over tcp)", "", "--- " + address + " yamux ping statistics ---");
            assertThat(ping.stdout()).contains("3 pings transmitted, 3 received, 0% loss").doesNotContain("pong");
            assertThat(ping.stderr()).isEmpty();
        }
    }

    @Test
    void benchAgainstEchoVerifiesEveryByteAndPrintsJson() throws Exception {
        try (WeftProcess echo = WeftProcess.start("echo", "--listen", "127.0.0.1:0")) {
            String address = echo.awaitListening(TIMEOUT);
            WeftProcess bench = WeftProcess.run(TIMEOUT, "bench", address, "--duration", "500ms", "--streams", "8",
                    "--json");
            bench.assertExit(0, TIMEOUT);
            assertThat(bench.stdout().strip())
                    .startsWith("{\"target\":\"" + address + "\"")
                    .contains("\"verified\":true")
                    .containsPattern("\"requestsPerSecond\":[1-9]");
        }
    }

    @Test
    void benchInterruptedPrintsThePartialResultsOnStderrWithExit130() throws Exception {
        try (WeftProcess bench = WeftProcess.start("bench", "--duration", "20s", "--streams", "4")) {
            assertThat(bench.awaitStderr("bulk for 20s", 1, TIMEOUT)).as(bench.stderr()).isTrue(); // hook installed
            bench.terminate();
            bench.assertExit(130, TIMEOUT);
            assertThat(bench.stderr()).contains("weft bench: interrupted; partial results:")
                    .containsPattern("bulk +[0-9.]+ [KMG]?i?B/s +1 stream, 64.0 KiB writes, .* echoed, ran ")
                    .doesNotContain("request/response  ");
            assertThat(bench.stdout()).as("stdout is for complete results only").isEmpty();
        }
    }

    @Test
    void benchAgainstAPeerThatSpeaksGarbageIsAProtocolErrorExitThree() throws Exception {
        try (var peer = new TcpPeers.Server(socket -> {
            socket.getOutputStream().write("SSH-2.0-OpenSSH_9.6\r\n".getBytes());
            socket.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        })) {
            WeftProcess bench = WeftProcess.run(TIMEOUT, "bench", peer.address(), "--duration", "100ms");
            bench.assertExit(Failures.PROTOCOL, TIMEOUT);
        }
    }

    @Test
    void sigtermSendsGoAwayAndPrintsFinalStatsWithExit0() throws Exception {
        try (WeftProcess echo = WeftProcess.start("echo", "--listen", "127.0.0.1:0")) {
            String address = echo.awaitListening(TIMEOUT);
            WeftProcess.run(TIMEOUT, "ping", "-c", "1", address).assertExit(0, TIMEOUT);
            echo.terminate();
            echo.assertExit(0, TIMEOUT); // a service stopped as asked
            assertThat(echo.stderr()).contains("weft echo: sessions 1 |");
        }
    }

    @Test
    void pingToASilentPeerReportsTheTimeoutGoStyleAndExitsFour() throws Exception {
        try (var silent = new TcpPeers.Server(socket -> socket.getInputStream().transferTo(java.io.OutputStream.nullOutputStream()))) {
            WeftProcess ping = WeftProcess.run(TIMEOUT, "ping", "-c", "1", "--write-timeout", "300ms", silent.address());
            ping.assertExit(Failures.KEEPALIVE, TIMEOUT);
            assertThat(ping.stdout()).contains("no pong from " + silent.address() + ": seq=1 (no ping reply within 300ms)");
            assertThat(ping.stdout() + ping.stderr()).doesNotContain("PT0.3S");
        }
    }

    @Test
    void portInUseIsOneLineAndExitTwo() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            WeftProcess echo = WeftProcess.run(TIMEOUT, "echo", "--listen", "127.0.0.1:" + taken.getLocalPort());
            echo.assertExit(2, TIMEOUT);
            assertThat(echo.stderr().strip()).startsWith("weft echo: cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .doesNotContain("\tat ");
            assertThat(echo.stderr().strip().lines()).hasSize(1);
        }
    }

    @Test
    void pingToNothingIsAnIoErrorExitOne() throws Exception {
        WeftProcess ping = WeftProcess.run(TIMEOUT, "ping", "-c", "1", "127.0.0.1:" + TcpPeers.freePort());
        ping.assertExit(1, TIMEOUT);
        assertThat(ping.stderr().strip().lines()).hasSize(1);
        assertThat(ping.stderr()).startsWith("weft ping: ");
    }

    @Test
    void debugOutputDoesNotEndWithTheJdksRuntimeExitStackTrace() throws Exception {
        WeftProcess p = WeftProcess.run(TIMEOUT, "-vv", "--version");
        p.assertExit(0, TIMEOUT);
        assertThat(p.stderr()).doesNotContain("Runtime.exit");
    }

    @Test
    void unknownFlagFromTheRealProcessExitsTwo() throws Exception {
        WeftProcess p = WeftProcess.run(TIMEOUT, "demo", "--durration", "3s");
        p.assertExit(2, TIMEOUT);
        assertThat(p.stderr()).startsWith("weft demo: Unknown option").contains("'--durration'");
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft tunnel} and {@code weft echo} run as a service would run them, as real processes:
 * started from a config file, stopped by signals, restarted on the unix socket path of a
 * killed predecessor.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ServiceEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private Path config(String name, String toml) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, toml);
        return file;
    }

    @Test
    void aTunnelRunsFromConfigFilesWithTheCommandLineOverridingThem() throws Exception {
        try (var target = new TcpPeers.Server(TcpPeers::echo)) {
            Path exitConfig = config("exit.toml", """
                    # the exit side: yamux on loopback, streams to the target
                    listen = "127.0.0.1:0"
                    to = "%s"
                    drain-timeout = "5s"
                    max-session-streams = 100
                    """.formatted(target.address()));
            try (WeftProcess exit = WeftProcess.start("tunnel", "--config", exitConfig.toString())) {
                String yamux = exit.awaitListening("yamux:", TIMEOUT);
                Path entryConfig = config("entry.toml", """
                        connect = "%s"
                        from = "127.0.0.1:1"
                        retry-min = "50ms"
                        """.formatted(yamux));
                try (WeftProcess entry = WeftProcess.start("tunnel", "--config", entryConfig.toString(),
                        "--from", "127.0.0.1:0")) {
                    String address = entry.awaitListening("entry:", TIMEOUT);
                    assertThat(entry.awaitStderr("connected to", 1, TIMEOUT)).as(entry.stderr()).isTrue();
                    assertThat(address).as("--from on the command line wins").isNotEqualTo("127.0.0.1:1");
                    assertThat(TcpPeers.echoConcurrently(address, 10, 100_000)).isEqualTo(1_000_000);
                }
            }
        }
    }

    @Test
    void aConfigErrorIsOneLineNamingFileAndLine() throws Exception {
        Path file = config("bad.toml", "to = \"localhost:80\"\n\n# typo below\nlisen = \":7000\"\n");
        WeftProcess p = WeftProcess.run(TIMEOUT, "tunnel", "--config", file.toString());
        p.assertExit(Failures.USAGE, TIMEOUT);
        assertThat(p.stderr()).isEqualTo("weft: " + file + ":4: unknown key \"lisen\" (did you mean \"listen\"?)\n");
    }

    @Test
    void sigtermLetsAStreamInFlightFinishThenExitsZero() throws Exception {
        try (var target = new TcpPeers.Server(TcpPeers::echo);
                WeftProcess exit = WeftProcess.start("tunnel", "--listen", "127.0.0.1:0", "--to", target.address(),
                        "--drain-timeout", "20s")) {
            String yamux = exit.awaitListening("yamux:", TIMEOUT);
            try (WeftProcess entry = WeftProcess.start("tunnel", "--connect", yamux, "--from", "127.0.0.1:0");
                    Socket client = TcpPeers.connect(connected(entry))) {
                byte[] first = random(100_000, 1);
                byte[] second = random(100_000, 2);
                OutputStream out = client.getOutputStream();
                InputStream in = client.getInputStream();
                out.write(first);
                assertThat(in.readNBytes(first.length)).as("echo before the signal").isEqualTo(first);

                exit.terminate(); // SIGTERM
                assertThat(exit.awaitStderr("shutting down (SIGTERM)", 1, TIMEOUT)).as(exit.stderr()).isTrue();
                assertThat(exit.isAlive()).as("draining, not gone").isTrue();

                out.write(second); // the stream goes on after GoAway
                client.shutdownOutput();
                assertThat(in.readAllBytes()).as("echo after the signal").isEqualTo(second);

                // The drain ends with the last stream, long before the 20s timeout.
                exit.assertExit(Failures.OK, Duration.ofSeconds(15));
                assertThat(exit.stderr()).contains("weft tunnel: sessions 1 | streams 1 (0 reset)");
            }
        }
    }

    @Test
    void aSecondCtrlCExitsAtOnceWhileTheFirstOneDrains() throws Exception {
        try (var target = new TcpPeers.Server(TcpPeers::echo);
                WeftProcess exit = WeftProcess.startWithSigint("tunnel", "--listen", "127.0.0.1:0",
                        "--to", target.address(), "--drain-timeout", "60s")) {
            String yamux = exit.awaitListening("yamux:", TIMEOUT);
            try (WeftProcess entry = WeftProcess.start("tunnel", "--connect", yamux, "--from", "127.0.0.1:0");
                    Socket client = TcpPeers.connect(connected(entry))) {
                client.getOutputStream().write(42);
                assertThat(client.getInputStream().read()).isEqualTo(42); // a stream stays open: the drain waits

                exit.signal("INT");
                assertThat(exit.awaitStderr("shutting down (Ctrl-C again to force)", 1, TIMEOUT))
                        .as(exit.stderr()).isTrue();
                assertThat(exit.isAlive()).as("the first Ctrl-C drains").isTrue();

                exit.signal("INT");
                exit.assertExit(Failures.INTERRUPTED, Duration.ofSeconds(10)); // not the 60s drain
            }
        }
    }

    @Test
    void aStaleUnixSocketOfAKilledProcessIsReplacedButALiveOneIsNot() throws Exception {
        Path socket = dir.resolve("echo.sock");
        String address = "unix:" + socket;
        try (WeftProcess killed = WeftProcess.start("echo", "--listen", address)) {
            killed.awaitListening(TIMEOUT);
            killed.signal("KILL");
            killed.awaitExit(TIMEOUT);
        }
        assertThat(socket).as("left behind by SIGKILL").exists();

        try (WeftProcess next = WeftProcess.start("echo", "--listen", address)) {
            assertThat(next.awaitListening(TIMEOUT)).isEqualTo(address);
            assertThat(next.stderr()).contains("removed the stale socket file " + socket);
            ping(address);

            WeftProcess third = WeftProcess.run(TIMEOUT, "echo", "--listen", address);
            third.assertExit(Failures.USAGE, TIMEOUT);
            assertThat(third.stderr()).isEqualTo("weft echo: cannot listen on " + address
                    + ": another process is listening there\n");
            ping(address); // the live one is untouched
        }
    }

    /** The entry address of a tunnel's entry side, once its yamux session is up. */
    private static String connected(WeftProcess entry) {
        String address = entry.awaitListening("entry:", TIMEOUT);
        assertThat(entry.awaitStderr("connected to", 1, TIMEOUT)).as(entry.stderr()).isTrue();
        return address;
    }

    /** One ping, patient with a loaded machine (a reply may take more than the default 10s there). */
    private static void ping(String address) throws Exception {
        WeftProcess.run(TIMEOUT, "ping", "-c", "1", "--write-timeout", "25s", address).assertExit(0, TIMEOUT);
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }
}

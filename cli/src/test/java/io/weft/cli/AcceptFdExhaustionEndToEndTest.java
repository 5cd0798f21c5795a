package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, defect 17: a {@code weft echo} that runs out of file descriptors (its RLIMIT_NOFILE
 * lowered with prlimit to what it uses plus a few sessions, then more clients than that) logs the temporary
 * accept error and retries with back-off instead of exiting, and serves again once descriptors
 * are free. Before, the first EMFILE ended the process.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AcceptFdExhaustionEndToEndTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Descriptors left free under the lowered limit: that many sessions fit, the next accept fails. */
    private static final int SESSIONS_THAT_FIT = 8;

    private static long openFds(WeftProcess process) throws java.io.IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return fds.count();
        }
    }

    @Test
    void echoSurvivesRunningOutOfFileDescriptorsAndServesAgain() throws Exception {
        try (WeftProcess echo = WeftProcess.start("echo", "--listen", "127.0.0.1:0")) {
            String address = echo.awaitListening(TIMEOUT);
            // One full session first, so every class serving needs is loaded before descriptors run out.
            WeftProcess.run(TIMEOUT, "ping", "-c", "1", address).assertExit(0, TIMEOUT);
            String[] hostPort = address.split(":");
            InetSocketAddress target = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
            long baseline = openFds(echo);
            try (Socket vanishing = new Socket()) { // and a peer that vanishes without a word
                vanishing.connect(target, 5_000);
            }
            Awaitility.await().atMost(TIMEOUT).until(() -> openFds(echo) <= baseline);

            int highestFd;
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(echo.pid()), "fd"))) {
                highestFd = fds.mapToInt(fd -> Integer.parseInt(fd.getFileName().toString())).max().orElseThrow();
            }
            Process prlimit = new ProcessBuilder("prlimit", "--pid", Long.toString(echo.pid()),
                    "--nofile=" + (highestFd + 1 + SESSIONS_THAT_FIT) + ":").inheritIO().start();
            assertThat(prlimit.waitFor(10, TimeUnit.SECONDS) && prlimit.exitValue() == 0).as("prlimit").isTrue();

            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) { // the kernel completes these handshakes whether or not weft accepts
                    Socket client = new Socket();
                    clients.add(client);
                    try {
                        client.connect(target, 5_000);
                    } catch (java.io.IOException e) {
                        throw new AssertionError("client " + i + ": " + e + "; weft echo alive: " + echo.isAlive()
                                + "; its stderr:\n" + echo.stderr(), e);
                    }
                    if (echo.stderr().contains("too many open files")) {
                        break;
                    }
                }
                assertThat(echo.awaitStderr("too many open files; retrying in", 1, TIMEOUT)).as(echo.stderr()).isTrue();
                assertThat(echo.isAlive()).as(echo.stderr()).isTrue();
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
            // The closed clients' sessions end and free their descriptors; weft accepts again.
            WeftProcess ping = WeftProcess.run(TIMEOUT, "ping", "-c", "1", address);
            assertThat(ping.awaitExit(TIMEOUT)).as(echo.stderr()).isZero();
            assertThat(echo.isAlive()).as(echo.stderr()).isTrue();
        }
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.weft.yamux.interop.GoPeer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code weft tunnel} against peers that are not what it expects: an HTTP server, a server that
 * says nothing, a second entry or a second exit; and {@code --listen :PORT} reached over IPv4 and
 * IPv6. Each failure must be found within seconds, named, and counted as {@code --max-retries} says.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TunnelPeerCheckEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void listenOnAPortAloneTakesIpv4AndIpv6AndLogsAddressesAsGoPrintsThem() throws Exception {
        try (WeftProcess exit = WeftProcess.start("tunnel", "--listen", ":0", "--to", "127.0.0.1:9", "--insecure")) {
            String yamux = exit.awaitListening("yamux:", TIMEOUT);
            boolean ipv6 = yamux.startsWith("[::]:");
            assertThat(yamux).as(exit.stderr()).matches(ipv6 ? "\\[::\\]:\\d+" : "0\\.0\\.0\\.0:\\d+");
            int port = Integer.parseInt(yamux.substring(yamux.lastIndexOf(':') + 1));
            List<String> peers = ipv6 ? List.of("127.0.0.1", "::1") : List.of("127.0.0.1");
            for (String peer : peers) {
                try (Socket socket = new Socket(peer, port)) {
                    String from = peer.contains(":") ? "[" + peer + "]:" + socket.getLocalPort() : peer + ":" + socket.getLocalPort();
                    assertThat(exit.awaitStderr("yamux connection from " + from, 1, TIMEOUT)).as(exit.stderr()).isTrue();
                }
            }
            assertThat(exit.stderr()).doesNotContain("/127.0.0.1").doesNotContain("0:0:0:0");
        }
    }

    @Test
    void anHttpServerIsNotYamuxAndMaxRetriesTwoMeansThreeAttempts() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        http.start();
        try (WeftProcess entry = WeftProcess.start("tunnel", "--connect", "127.0.0.1:" + http.getAddress().getPort(),
                "--from", "127.0.0.1:0", "--max-retries", "2", "--retry-min", "50ms", "--retry-max", "100ms",
                "--tls-handshake-timeout", "2s")) {
            entry.assertExit(Failures.PROTOCOL, TIMEOUT);
            String stderr = entry.stderr();
            String peer = "peer at 127.0.0.1:" + http.getAddress().getPort() + " does not speak yamux";
            // The JDK's server waits for a request line that never comes (a ping has no CRLF): the
            // timeout finds it. (A peer that answers garbage is named by what it sent: TunnelEndToEndTest.)
            assertThat(stderr).contains("weft tunnel: cannot connect to 127.0.0.1:" + http.getAddress().getPort()
                    + " after 3 tries: " + peer + " (no reply to a ping within 2s)");
            assertThat(stderr.split("retrying in", -1)).as(stderr).hasSize(3); // two retries
            assertThat(stderr).doesNotContain(" ERROR ");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aServerThatSaysNothingIsFoundWithinTheHandshakeTimeoutAndMaxRetriesZeroMeansOneAttempt() throws Exception {
        List<Long> acceptedNanos = new CopyOnWriteArrayList<>();
        try (var silent = new TcpPeers.Server(socket -> {
            acceptedNanos.add(System.nanoTime());
            socket.getInputStream().transferTo(OutputStream.nullOutputStream()); // until weft hangs up
        });
                WeftProcess entry = WeftProcess.start("tunnel", "--connect", silent.address(), "--from", "127.0.0.1:0",
                        "--max-retries", "0", "--tls-handshake-timeout", "500ms")) {
            entry.assertExit(Failures.PROTOCOL, TIMEOUT);
            assertThat(entry.stderr()).contains("weft tunnel: cannot connect to " + silent.address() + " after 1 try: peer at "
                    + silent.address() + " does not speak yamux (no reply to a ping within 500ms)");
            assertThat(acceptedNanos).hasSize(1);
            assertThat(entry.stderr()).doesNotContain("retrying").doesNotContain(" ERROR ");
        }
    }

    /** Wire compatibility: hashicorp/yamux answers the announcing ping like any other, and is never judged. */
    @Test
    void aGoYamuxServerAnswersTheFirstPingAndCarriesTheTunnel() throws Exception {
        try (GoPeer go = GoPeer.startServer("echo");
                WeftProcess entry = WeftProcess.start("tunnel", "--connect", go.address(), "--from", "127.0.0.1:0",
                        "--max-retries", "0")) {
            String address = entry.awaitListening("entry:", TIMEOUT);
            assertThat(entry.awaitStderr("connected to " + go.address(), 1, TIMEOUT)).as(entry.stderr()).isTrue();
            assertThat(TcpPeers.echoOnce(address, 100_000, 5)).isEqualTo(100_000);
            assertThat(entry.isAlive()).as(entry.stderr()).isTrue();
            assertThat(entry.stderr()).doesNotContain("WARN").doesNotContain("ERROR");
        }
    }

    @Test
    void twoEntriesAreToldWhichFlagToChange() throws Exception {
        try (WeftProcess server = WeftProcess.start("tunnel", "--listen", "127.0.0.1:0", "--from", "127.0.0.1:0")) {
            String yamux = server.awaitListening("yamux:", TIMEOUT);
            try (WeftProcess client = WeftProcess.start("tunnel", "--connect", yamux, "--from", "127.0.0.1:0")) {
                client.assertExit(Failures.USAGE, TIMEOUT);
                assertThat(client.stderr()).contains("weft tunnel: peer at " + yamux + " is an entry too (this end has"
                        + " --from): neither end accepts streams; start one of them with --to instead of --from");
                assertThat(server.awaitStderr("is an entry too (this end has --from)", 1, TIMEOUT)).as(server.stderr()).isTrue();
                assertThat(server.isAlive()).isTrue(); // other clients may be right
            }
        }
    }

    @Test
    void twoExitsAreToldWhichFlagToChange() throws Exception {
        try (WeftProcess server = WeftProcess.start("tunnel", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:9")) {
            String yamux = server.awaitListening("yamux:", TIMEOUT);
            try (WeftProcess client = WeftProcess.start("tunnel", "--connect", yamux, "--to", "127.0.0.1:9")) {
                client.assertExit(Failures.USAGE, TIMEOUT);
                assertThat(client.stderr()).contains("weft tunnel: peer at " + yamux + " is an exit too (this end has"
                        + " --to): nothing enters the tunnel; start one of them with --from instead of --to");
                assertThat(server.awaitStderr("is an exit too (this end has --to)", 1, TIMEOUT)).as(server.stderr()).isTrue();
            }
        }
    }
}

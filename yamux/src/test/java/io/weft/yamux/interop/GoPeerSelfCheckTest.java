package io.weft.yamux.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Go ↔ Go runs of the peer program, so a broken peer is told apart from a broken Weft: if these
 * fail, the interop tests' failures say nothing about Weft.
 */
class GoPeerSelfCheckTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void goEchoClientVerifiesChecksumsAgainstGoEchoServer() throws IOException {
        try (GoPeer server = GoPeer.startServer("echo");
                GoPeer client = GoPeer.start("echo-client", "-addr", server.address(),
                        "-streams", "20", "-bytes", "100000")) {
            client.assertSucceeds(TIMEOUT);
            assertThat(client.jsonResult()).containsEntry("verified", "true").containsEntry("streams", "20");
        }
    }

    @Test
    void goScenarioModesPassAgainstGoServers() throws IOException {
        try (GoPeer echo = GoPeer.startServer("echo");
                GoPeer goAwayServer = GoPeer.startServer("echo", "-goaway");
                GoPeer silent = GoPeer.startServer("echo", "-no-accept", "-backlog", "4")) {
            try (GoPeer ping = GoPeer.start("ping", "-addr", echo.address(), "-count", "2")) {
                ping.assertSucceeds(TIMEOUT);
                assertThat(ping.jsonResult()).containsEntry("pings", "2");
            }
            try (GoPeer recv = GoPeer.start("goaway-recv", "-addr", goAwayServer.address())) {
                recv.assertSucceeds(TIMEOUT);
            }
            try (GoPeer backlog = GoPeer.start("backlog", "-addr", silent.address(),
                    "-streams", "10", "-expect-reset", "6")) {
                backlog.assertSucceeds(TIMEOUT);
                assertThat(backlog.jsonResult()).containsEntry("reset", "6").containsEntry("open", "4");
            }
        }
    }

    @Test
    void goTlsClientsAgainstGoTlsServers(@TempDir Path dir) throws Exception {
        TlsFixture tls = TlsFixture.create(dir);
        try (GoPeer server = GoPeer.startServer("echo", TlsFixture.args(tls.goServerRequiringClientCertificates()))) {
            String[] withCert = TlsFixture.args(List.of("-addr", server.address()), tls.goClientWithCertificate());
            try (GoPeer client = GoPeer.start("echo-client", TlsFixture.args(List.of(withCert),
                    List.of("-streams", "20", "-bytes", "100000")))) {
                client.assertSucceeds(TIMEOUT);
                assertThat(client.jsonResult()).containsEntry("verified", "true").containsEntry("tls", "true");
            }
            try (GoPeer probe = GoPeer.start("tls-probe", TlsFixture.args(List.of(withCert), List.of("-yamux-ping")))) {
                probe.assertSucceeds(TIMEOUT);
                assertThat(probe.jsonResult()).containsEntry("version", "TLS 1.3").containsEntry("yamuxPing", "true");
            }
            String[] noCert = TlsFixture.args(List.of("-addr", server.address()), tls.goClient(), List.of("-yamux-ping"));
            try (GoPeer probe = GoPeer.start("tls-probe", noCert)) {
                assertThat(probe.awaitExit(TIMEOUT)).isEqualTo(1);
                assertThat(probe.stderr()).contains("yamux ping read: remote error: tls:");
            }
            String[] wrongCa = TlsFixture.args(List.of("-addr", server.address()), tls.goClientTrustingTheOtherCa());
            try (GoPeer probe = GoPeer.start("tls-probe", wrongCa)) {
                assertThat(probe.awaitExit(TIMEOUT)).isEqualTo(1);
                assertThat(probe.stderr()).contains("certificate signed by unknown authority");
            }
            String[] wrongName = TlsFixture.args(List.of("-addr", server.address(), "-tls-server-name", "wrong.example"),
                    tls.goClientWithCertificate());
            try (GoPeer probe = GoPeer.start("tls-probe", wrongName)) {
                assertThat(probe.awaitExit(TIMEOUT)).isEqualTo(1);
                assertThat(probe.stderr()).contains("not wrong.example");
            }
        }
        try (GoPeer server = GoPeer.startServer("bench-server", TlsFixture.args(tls.goServer()));
                GoPeer bulk = GoPeer.start("bench-client", TlsFixture.args(List.of("-addr", server.address(),
                        "-mode", "bulk", "-bytes", String.valueOf(8 << 20), "-tls-max", "1.2"), tls.goClient()))) {
            bulk.assertSucceeds(TIMEOUT);
            assertThat(bulk.jsonResult()).containsEntry("peer", "yamux+tls").containsKey("bytesPerSec");
        }
    }

    @Test
    void goBenchClientReportsOneJsonLine() throws IOException {
        try (GoPeer server = GoPeer.startServer("bench-server");
                GoPeer bulk = GoPeer.start("bench-client", "-addr", server.address(), "-mode", "bulk",
                        "-bytes", String.valueOf(8 << 20))) {
            bulk.assertSucceeds(TIMEOUT);
            assertThat(bulk.jsonResult()).containsEntry("mode", "bulk").containsKey("bytesPerSec");
            try (GoPeer rr = GoPeer.start("bench-client", "-addr", server.address(), "-mode", "rr",
                    "-duration", "200ms")) {
                rr.assertSucceeds(TIMEOUT);
                assertThat(rr.jsonResult()).containsEntry("size", "64").containsKey("opsPerSec");
            }
        }
    }

    @Test
    void stdioListenerAndStdioDialerTunnelTcpThroughYamux() throws Exception {
        try (ServerSocketChannel target = ServerSocketChannel.open()) {
            target.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread echo = Thread.ofVirtual().start(() -> echoOnce(target));
            int targetPort = ((InetSocketAddress) target.getLocalAddress()).getPort();
            try (GoPeer listener = GoPeer.startStdio("-l", "127.0.0.1", "0");
                    GoPeer dialer = GoPeer.startStdio("127.0.0.1", String.valueOf(targetPort))) {
                Thread.ofVirtual().start(() -> pipe(listener.stdoutStream(), dialer.stdin()));
                Thread.ofVirtual().start(() -> pipe(dialer.stdoutStream(), listener.stdin()));
                String address = listener.awaitListening(TIMEOUT);
                byte[] sent = new byte[100_000];
                new Random(7).nextBytes(sent);
                try (SocketChannel client = SocketChannel.open(toSocketAddress(address))) {
                    client.write(ByteBuffer.wrap(sent));
                    ByteBuffer received = ByteBuffer.allocate(sent.length);
                    while (received.hasRemaining() && client.read(received) >= 0) {
                        // keep reading until the whole echo is back
                    }
                    assertThat(Arrays.equals(received.array(), sent)).isTrue();
                }
            }
            echo.join(TIMEOUT);
        }
    }

    private static InetSocketAddress toSocketAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static void echoOnce(ServerSocketChannel server) {
        try (SocketChannel conn = server.accept()) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (conn.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    conn.write(buf);
                }
                buf.clear();
            }
        } catch (IOException e) {
            // the client went away: the test has its answer already
        }
    }

    private static void pipe(InputStream in, OutputStream out) {
        try {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            out.close();
        } catch (IOException e) {
            // a process ended: the pipe ends with it
        }
    }

    @Test
    void flatJsonParserReadsThePeersResultLines() {
        Map<String, String> m = GoPeer.parseFlatJson("{\"a\":1,\"b\":\"x\",\"c\":[1,2],\"d\":true}");
        assertThat(m).containsEntry("a", "1").containsEntry("b", "x").containsEntry("c", "[1,2]")
                .containsEntry("d", "true");
    }
}

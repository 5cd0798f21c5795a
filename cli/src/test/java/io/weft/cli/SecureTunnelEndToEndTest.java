package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.tls.CertificatePin;
import io.weft.netpoll.tls.GeneratedCertificate;
import io.weft.netpoll.tls.Pem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft tunnel} with TLS, a shared token and mutual TLS, as processes: data through it
 * intact, every refusal one line with exit 5 on the client and one log line on a server that
 * keeps serving, garbage and stalled handshakes cut, the safe default for non-loopback listeners,
 * and {@code weft tls init}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecureTunnelEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** A server certificate in {@code dir}: cert.pem and key.pem. */
    private GeneratedCertificate serverCertificate() throws IOException {
        GeneratedCertificate cert = GeneratedCertificate.selfSigned("localhost", "127.0.0.1");
        cert.writePem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        return cert;
    }

    private Path tokenFile(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private WeftProcess tlsTokenServer(String target, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("tunnel", "--listen", "127.0.0.1:0", "--to", target,
                "--tls-cert", dir.resolve("cert.pem").toString(), "--tls-key", dir.resolve("key.pem").toString(),
                "--token-file", dir.resolve("token").toString()));
        args.addAll(List.of(extra));
        return WeftProcess.start(args.toArray(String[]::new));
    }

    private static WeftProcess entry(String yamux, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("tunnel", "--connect", yamux, "--from", "127.0.0.1:0",
                "--retry-min", "50ms", "--retry-max", "500ms"));
        args.addAll(List.of(extra));
        return WeftProcess.start(args.toArray(String[]::new));
    }

    private static long countLines(String text, String containing) {
        return text.lines().filter(l -> l.contains(containing)).count();
    }

    @Test
    void aFiftyMegabyteFileCrossesATlsAndTokenTunnelIntact() throws Exception {
        GeneratedCertificate cert = serverCertificate();
        tokenFile("token", "correct horse battery staple\n");
        Path file = dir.resolve("big.bin");
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(50);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < 50; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        String expected = sha256Hex(file);
        try (var fileServer = new TcpPeers.Server(socket -> {
            Files.copy(file, socket.getOutputStream());
            socket.shutdownOutput();
        });
                WeftProcess server = tlsTokenServer(fileServer.address());
                WeftProcess client = entry(server.awaitListening("yamux:", TIMEOUT),
                        "--tls-pin", cert.pin().toString(), "--token-file", dir.resolve("token").toString())) {
            assertThat(server.stderr()).contains("(TLS, token)");
            String from = client.awaitListening("entry:", TIMEOUT);
            try (Socket socket = TcpPeers.connect(from)) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                long bytes;
                try (InputStream in = new DigestInputStream(socket.getInputStream(), sha)) {
                    bytes = in.transferTo(OutputStream.nullOutputStream());
                }
                assertThat(bytes).isEqualTo(50L << 20);
                assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(expected);
            }
            assertThat(server.stderr()).doesNotContain("refused");
        }
    }

    @Test
    void refusedClientsExitFiveWithOneLineAndTheServerLogsOneLineEachAndKeepsServing() throws Exception {
        GeneratedCertificate cert = serverCertificate();
        Path token = tokenFile("token", "s3cret-token\n");
        Path wrong = tokenFile("wrong", "not-the-token\n");
        String pin = cert.pin().toString();
        try (var echo = new TcpPeers.Server(TcpPeers::echo);
                WeftProcess server = tlsTokenServer(echo.address())) {
            String yamux = server.awaitListening("yamux:", TIMEOUT);

            WeftProcess noToken = entry(yamux, "--tls-pin", pin);
            noToken.assertExit(Failures.AUTH, TIMEOUT);
            assertThat(lastLine(noToken)).isEqualTo("weft tunnel: server requires a token (--token-file)");
            assertThat(server.awaitStderr("refused", 1, TIMEOUT)).isTrue();

            WeftProcess wrongToken = entry(yamux, "--tls-pin", pin, "--token-file", wrong.toString());
            wrongToken.assertExit(Failures.AUTH, TIMEOUT);
            assertThat(lastLine(wrongToken)).startsWith("weft tunnel: the server refused the token");
            assertThat(server.awaitStderr("refused", 2, TIMEOUT)).isTrue();
            assertThat(countLines(server.stderr(), ": wrong token")).isEqualTo(1);

            String otherPin = GeneratedCertificate.selfSigned("localhost").pin().toString();
            WeftProcess wrongPin = entry(yamux, "--tls-pin", otherPin, "--token-file", token.toString());
            wrongPin.assertExit(Failures.AUTH, TIMEOUT);
            assertThat(lastLine(wrongPin)).startsWith("weft tunnel: ");
            assertThat(server.awaitStderr("refused", 3, TIMEOUT)).isTrue();

            for (WeftProcess refused : List.of(noToken, wrongToken, wrongPin)) {
                assertThat(refused.stderr()).as("%s", refused).doesNotContain("s3cret", "\tat ");
                assertThat(countLines(refused.stderr(), "weft tunnel: ")).as(refused.stderr()).isEqualTo(1);
            }
            assertThat(server.stderr()).doesNotContain("s3cret", "not-the-token");
            assertThat(countLines(server.stderr(), "refused")).as(server.stderr()).isEqualTo(3);

            try (WeftProcess good = entry(yamux, "--tls-pin", pin, "--token-file", token.toString())) {
                String from = good.awaitListening("entry:", TIMEOUT);
                assertThat(good.awaitStderr("connected to", 1, TIMEOUT)).as(good.stderr()).isTrue();
                assertThat(TcpPeers.echoOnce(from, 100_000, 7)).isEqualTo(100_000);
            }
            assertThat(server.process().isAlive()).isTrue();
        }
    }

    @Test
    void garbageAndStalledHandshakesAreCutWithOneLineWhileOthersAreServed() throws Exception {
        GeneratedCertificate cert = serverCertificate();
        Path token = tokenFile("token", "tok\n");
        try (var echo = new TcpPeers.Server(TcpPeers::echo);
                WeftProcess server = tlsTokenServer(echo.address(), "--tls-handshake-timeout", "700ms")) {
            String yamux = server.awaitListening("yamux:", TIMEOUT);

            // An HTTP request to the TLS port: refused at once, one line.
            try (Socket http = TcpPeers.connect(yamux)) {
                http.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(drain(http.getInputStream())).as("the server hangs up").isTrue();
            }
            assertThat(server.awaitStderr("refused", 1, TIMEOUT)).as(server.stderr()).isTrue();

            // Two stalled peers: one sends nothing, one half a ClientHello. Both cut after the timeout.
            try (Socket silent = TcpPeers.connect(yamux); Socket half = TcpPeers.connect(yamux)) {
                half.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc});
                long start = System.nanoTime();
                assertThat(drain(silent.getInputStream())).isTrue();
                assertThat(drain(half.getInputStream())).isTrue();
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(millis).as("cut after the handshake timeout").isBetween(500L, 10_000L);
            }
            assertThat(server.awaitStderr("not finished within 700ms", 2, TIMEOUT)).as(server.stderr()).isTrue();
            assertThat(countLines(server.stderr(), "refused")).as(server.stderr()).isEqualTo(3);

            try (WeftProcess good = entry(yamux, "--tls-pin", cert.pin().toString(), "--token-file", token.toString())) {
                String from = good.awaitListening("entry:", TIMEOUT);
                assertThat(TcpPeers.echoOnce(from, 50_000, 3)).isEqualTo(50_000);
            }
        }
    }

    @Test
    void tlsAgainstPlainAndPlainAgainstTlsFailAtOnceWithOneLineNamingTheFix() throws Exception {
        GeneratedCertificate cert = serverCertificate();
        try (var echo = new TcpPeers.Server(TcpPeers::echo);
                WeftProcess plain = WeftProcess.start("tunnel", "--listen", "127.0.0.1:0", "--to", echo.address());
                WeftProcess tls = WeftProcess.start("echo", "--listen", "127.0.0.1:0",
                        "--tls-cert", dir.resolve("cert.pem").toString(), "--tls-key", dir.resolve("key.pem").toString())) {
            String plainAddress = plain.awaitListening("yamux:", TIMEOUT);
            WeftProcess client = entry(plainAddress, "--tls-pin", cert.pin().toString());
            client.assertExit(Failures.PROTOCOL, TIMEOUT);
            assertThat(lastLine(client)).startsWith("weft tunnel: tls handshake with " + plainAddress)
                    .contains("does not speak TLS");
            assertThat(countLines(client.stderr(), "weft tunnel: ")).isEqualTo(1);
            assertThat(plain.awaitStderr("a TLS client?", 1, TIMEOUT)).as(plain.stderr()).isTrue();

            String tlsAddress = tls.awaitListening(TIMEOUT);
            WeftProcess ping = WeftProcess.run(TIMEOUT, "ping", "-c", "1", tlsAddress);
            ping.assertExit(Failures.PROTOCOL, TIMEOUT);
            assertThat(ping.stderr().strip()).isEqualTo("weft ping: the server speaks TLS: connect with --tls-pin, --tls-ca or --tls");
            assertThat(plain.process().isAlive() && tls.process().isAlive()).isTrue();
        }
    }

    @Test
    void echoPingAndBenchSpeakTls() throws Exception {
        GeneratedCertificate cert = serverCertificate();
        try (WeftProcess echo = WeftProcess.start("echo", "--listen", "127.0.0.1:0",
                "--tls-cert", dir.resolve("cert.pem").toString(), "--tls-key", dir.resolve("key.pem").toString())) {
            String address = echo.awaitListening(TIMEOUT);
            assertThat(echo.stderr()).contains("(TLS)");
            WeftProcess ping = WeftProcess.run(TIMEOUT, "ping", "-c", "2", "-i", "100ms", "--tls-pin", cert.pin().toString(), address);
            ping.assertExit(0, TIMEOUT);
            assertThat(ping.stdout()).contains("(yamux over TLS over tcp)", "2 received");
            // --tls-ca with the self-signed certificate as its own CA: the name 127.0.0.1 is checked too.
            WeftProcess bench = WeftProcess.run(TIMEOUT, "bench", address, "--tls-ca", dir.resolve("cert.pem").toString(),
                    "--duration", "300ms", "--streams", "4", "--json");
            bench.assertExit(0, TIMEOUT);
            assertThat(bench.stdout()).contains("\"verified\":true");
        }
        WeftProcess inProcess = WeftProcess.run(TIMEOUT, "bench", "--tls", "--duration", "300ms", "--streams", "4");
        inProcess.assertExit(0, TIMEOUT);
        assertThat(inProcess.stdout()).contains("in-process echo over TLS over loopback TCP", "OK: ");
    }

    @Test
    void mutualTlsAcceptsAClientWithACertificateFromTheCaAndRefusesOneWithout() throws Exception {
        GeneratedCertificate server = serverCertificate();
        GeneratedCertificate ca = GeneratedCertificate.builder().commonName("weft test client CA").certificateAuthority(true).build();
        GeneratedCertificate clientCert = GeneratedCertificate.builder().commonName("client-1").issuer(ca).build();
        Pem.writeCertificates(dir.resolve("client-ca.pem"), ca.chain());
        clientCert.writePem(dir.resolve("client.pem"), dir.resolve("client-key.pem"));
        try (var echo = new TcpPeers.Server(TcpPeers::echo);
                WeftProcess listener = WeftProcess.start("tunnel", "--listen", "127.0.0.1:0", "--to", echo.address(),
                        "--tls-cert", dir.resolve("cert.pem").toString(), "--tls-key", dir.resolve("key.pem").toString(),
                        "--tls-client-ca", dir.resolve("client-ca.pem").toString())) {
            String yamux = listener.awaitListening("yamux:", TIMEOUT);
            assertThat(listener.stderr()).contains("(TLS with client certificates)");

            WeftProcess anonymous = entry(yamux, "--tls-pin", server.pin().toString());
            anonymous.assertExit(Failures.AUTH, TIMEOUT);
            assertThat(countLines(anonymous.stderr(), "weft tunnel: ")).as(anonymous.stderr()).isEqualTo(1);
            assertThat(listener.awaitStderr("refused", 1, TIMEOUT)).as(listener.stderr()).isTrue();

            try (WeftProcess good = entry(yamux, "--tls-pin", server.pin().toString(),
                    "--tls-cert", dir.resolve("client.pem").toString(), "--tls-key", dir.resolve("client-key.pem").toString())) {
                String from = good.awaitListening("entry:", TIMEOUT);
                assertThat(TcpPeers.echoOnce(from, 50_000, 5)).isEqualTo(50_000);
            }
        }
    }

    @Test
    void listeningBeyondLoopbackNeedsTlsAndAuthenticationOrInsecure() throws Exception {
        WeftProcess refused = WeftProcess.run(TIMEOUT, "tunnel", "--listen", ":0", "--to", "127.0.0.1:9");
        refused.assertExit(Failures.USAGE, TIMEOUT);
        assertThat(refused.stderr().strip()).startsWith("weft tunnel: refusing to listen on :0 without TLS and authentication")
                .contains("--tls-cert", "--token-file", "--insecure");
        assertThat(refused.stderr().strip().lines()).hasSize(1);

        serverCertificate();
        WeftProcess tlsOnly = WeftProcess.run(TIMEOUT, "tunnel", "--listen", "0.0.0.0:0", "--to", "127.0.0.1:9",
                "--tls-cert", dir.resolve("cert.pem").toString(), "--tls-key", dir.resolve("key.pem").toString());
        tlsOnly.assertExit(Failures.USAGE, TIMEOUT);
        assertThat(tlsOnly.stderr()).contains("without authentication");

        try (WeftProcess insecure = WeftProcess.start("tunnel", "--listen", ":0", "--to", "127.0.0.1:9", "--insecure")) {
            insecure.awaitListening("yamux:", TIMEOUT);
            assertThat(insecure.stderr()).contains("WARN", "--insecure: listening on :0 without TLS and authentication");
        }
    }

    @Test
    void tlsInitWritesPrivateFilesPrintsTheMatchingPinAndNeverOverwritesWithoutForce() throws Exception {
        Path target = dir.resolve("weft");
        WeftProcess init = WeftProcess.run(TIMEOUT, "tls", "init", target.toString());
        init.assertExit(0, TIMEOUT);
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(target.resolve("key.pem"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(target.resolve("token"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(target.resolve("token")).strip()).matches("[0-9a-f]{64}");
        String pin = CertificatePin.of(Pem.readCertificates(target.resolve("cert.pem")).get(0)).toString();
        assertThat(init.stdout()).contains("pin: " + pin, "--tls-pin " + pin,
                "--tls-cert " + target.resolve("cert.pem"), "--token-file " + target.resolve("token"));

        byte[] before = Files.readAllBytes(target.resolve("cert.pem"));
        WeftProcess again = WeftProcess.run(TIMEOUT, "tls", "init", target.toString());
        again.assertExit(Failures.USAGE, TIMEOUT);
        assertThat(again.stderr().strip()).isEqualTo("weft tls init: " + target.resolve("cert.pem")
                + " already exists; use --force to overwrite it");
        assertThat(Files.readAllBytes(target.resolve("cert.pem"))).isEqualTo(before);

        WeftProcess forced = WeftProcess.run(TIMEOUT, "tls", "init", "--force", "--no-token", "--name", "example.test",
                target.toString());
        forced.assertExit(0, TIMEOUT);
        assertThat(Files.readAllBytes(target.resolve("cert.pem"))).isNotEqualTo(before);
        assertThat(forced.stdout()).contains("certificate for example.test");
    }

    /** Reads until the peer closes or resets; true when it did within the socket timeout. */
    private static boolean drain(InputStream in) {
        try {
            in.transferTo(OutputStream.nullOutputStream());
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static String lastLine(WeftProcess p) {
        List<String> lines = p.stderr().strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static String sha256Hex(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}

package io.weft.netpoll.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TlsConn} against OpenSSL: {@code openssl s_server -rev} (reverses every line; the line
 * {@code CLOSE} makes it send close_notify) with {@code Tls.client}, and {@code openssl s_client
 * -quiet} (stdin to the peer, the peer's bytes to stdout; stdin's end sends close_notify) with
 * {@code Tls.server}, in TLS 1.3 and 1.2. Checks the bytes both ways, that close_notify is an
 * end of stream in both directions, client certificates, and that a wrong CA is refused by either
 * side. Skipped without openssl unless {@code WEFT_REQUIRE_GO=1}.
 */
class OpensslInteropTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static GeneratedCertificate ca;
    private static GeneratedCertificate server;
    private static GeneratedCertificate client;
    private static GeneratedCertificate otherCa;
    private static Path caPem;
    private static Path serverPem;
    private static Path serverKey;
    private static Path clientPem;
    private static Path clientKey;
    private static Path otherCaPem;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void generateCertificates() throws Exception {
        TestPki pki = TestPki.create(dir);
        ca = pki.ca;
        server = pki.server;
        client = pki.client;
        otherCa = pki.otherCa;
        caPem = pki.caPem;
        serverPem = pki.serverPem;
        serverKey = pki.serverKey;
        clientPem = pki.clientPem;
        clientKey = pki.clientKey;
        otherCaPem = pki.otherCaPem;
    }

    @AfterEach
    void closeAll() throws Exception {
        executor.shutdownNow();
        for (AutoCloseable r : resources.reversed()) {
            r.close();
        }
    }

    private static String protocolName(String opensslFlag) {
        return opensslFlag.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2";
    }

    private OpensslProcess sServer(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("-cert", serverPem.toString(), "-key", serverKey.toString(),
                "-naccept", "1"));
        all.addAll(List.of(args));
        OpensslProcess process = OpensslProcess.sServer(all.toArray(String[]::new));
        resources.add(process);
        return process;
    }

    private TlsConn dial(OpensslProcess server, TlsConfig config) throws IOException {
        TlsConn conn = Tls.client(Net.dial("tcp", server.address(), Duration.ofSeconds(10)), config, "localhost");
        resources.add(conn);
        conn.setReadDeadline(Instant.now().plus(TIMEOUT));
        return conn;
    }

    private static TlsConfig trustingCa() {
        return TlsConfig.builder().trustedCertificates(List.of(ca.certificate())).build();
    }

    /** Random lines of letters and digits, each ending in '\n'. */
    private static List<String> lines(int count, long seed) {
        Random random = new Random(seed);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder line = new StringBuilder();
            int length = 1 + random.nextInt(2000);
            for (int j = 0; j < length; j++) {
                line.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            lines.add(line.append('\n').toString());
        }
        return lines;
    }

    private static byte[] readExactly(Conn conn, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (conn.read(buf) < 0) {
                throw new AssertionError("end of stream after " + buf.position() + " of " + n + " bytes");
            }
        }
        return buf.array();
    }

    private static void writeAll(Conn conn, String text) throws IOException {
        conn.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
    }

    // ---- Weft client, openssl s_server -rev ----

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void weftClientGetsEveryLineReversedAndTheServersCloseNotifyIsEndOfStream(String version) throws Exception {
        OpensslProcess openssl = sServer("-rev", version);
        TlsConn conn = dial(openssl, trustingCa());
        conn.handshake();
        assertThat(conn.protocol()).isEqualTo(protocolName(version));
        assertThat(conn.peerCertificates()).first().isEqualTo(server.certificate());

        List<String> lines = lines(500, 1);
        StringBuilder expected = new StringBuilder();
        for (String line : lines) {
            expected.append(new StringBuilder(line.substring(0, line.length() - 1)).reverse()).append('\n');
        }
        Future<?> writer = executor.submit(() -> {
            for (String line : lines) {
                writeAll(conn, line);
            }
            writeAll(conn, "CLOSE\n"); // s_server -rev then sends close_notify
            return null;
        });
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        int n;
        while ((n = conn.read(buf)) >= 0) {
            received.write(buf.array(), 0, n);
            buf.clear();
        }
        writer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(received.toString(StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
        assertThat(conn.read(ByteBuffer.allocate(1))).as("reads after close_notify stay at end of stream").isEqualTo(-1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void weftClientsCloseWriteIsACloseNotifyForOpenssl(String version) throws Exception {
        OpensslProcess openssl = sServer("-rev", version);
        TlsConn conn = dial(openssl, trustingCa());
        writeAll(conn, "weft\n");
        assertThat(new String(readExactly(conn, 5), StandardCharsets.US_ASCII)).isEqualTo("tfew\n");
        conn.closeWrite();
        // s_server's read returns 0 (a clean close_notify, not an error), it says so and shuts down
        // its side with its own close_notify.
        openssl.awaitOutput("CONNECTION CLOSED", TIMEOUT);
        assertThat(conn.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        assertThat(openssl.awaitExit(TIMEOUT)).isZero();
    }

    @Test
    void weftClientPresentsItsCertificateToAnOpensslServerRequiringOne() throws Exception {
        OpensslProcess openssl = sServer("-rev", "-Verify", "1", "-verify_return_error", "-CAfile", caPem.toString());
        TlsConfig config = TlsConfig.builder().trustedCertificates(List.of(ca.certificate()))
                .certificate(client.chain(), client.privateKey()).build();
        TlsConn conn = dial(openssl, config);
        writeAll(conn, "mutual\n");
        assertThat(new String(readExactly(conn, 7), StandardCharsets.US_ASCII)).isEqualTo("lautum\n");
        openssl.awaitOutput(TestPki.CLIENT_NAME, TIMEOUT); // s_server prints the client's subject
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void weftClientRefusesAnOpensslServerFromAnUnknownAuthority(String version) throws Exception {
        OpensslProcess openssl = sServer("-rev", version);
        TlsConfig trustingOther = TlsConfig.builder().trustedCertificates(List.of(otherCa.certificate())).build();
        TlsConn conn = dial(openssl, trustingOther);
        assertThatThrownBy(conn::handshake).isInstanceOfSatisfying(TlsHandshakeException.class,
                e -> assertThat(e.reason()).as("reason of %s", e).isEqualTo(TlsHandshakeException.Reason.UNKNOWN_AUTHORITY));
        openssl.awaitOutput("CONNECTION FAILURE", TIMEOUT);
    }

    // ---- openssl s_client, Weft server ----

    private record Accepted(Listener listener, OpensslProcess client, TlsConn conn) {}

    /** Starts s_client against a Weft listener and returns the accepted, not yet handshaken, server end. */
    private Accepted sClient(TlsConfig serverConfig, String... args) throws Exception {
        Listener listener = Net.listen("tcp", "127.0.0.1:0");
        resources.add(listener);
        CompletableFuture<Conn> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, executor);
        List<String> all = new ArrayList<>(List.of("s_client", "-connect",
                "127.0.0.1:" + ((java.net.InetSocketAddress) listener.address()).getPort(),
                "-servername", "localhost", "-verify_hostname", "localhost", "-verify_return_error",
                "-quiet", "-no_ign_eof", "-nocommands"));
        all.addAll(List.of(args));
        OpensslProcess openssl = OpensslProcess.start(all.toArray(String[]::new));
        resources.add(openssl);
        TlsConn conn = Tls.server(accepted.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS), serverConfig);
        resources.add(conn);
        conn.setReadDeadline(Instant.now().plus(TIMEOUT));
        return new Accepted(listener, openssl, conn);
    }

    private static TlsConfig serverConfig() {
        return TlsConfig.builder().certificate(server.chain(), server.privateKey()).build();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void opensslClientExchangesBytesWithWeftServerAndItsCloseNotifyIsEndOfStream(String version) throws Exception {
        Accepted a = sClient(serverConfig(), "-CAfile", caPem.toString(), version);
        TlsConn conn = a.conn();
        conn.handshake();
        assertThat(conn.protocol()).isEqualTo(protocolName(version));
        assertThat(conn.peerCertificates()).isEmpty();

        byte[] toOpenssl = new byte[256 * 1024];
        new Random(2).nextBytes(toOpenssl);
        conn.write(ByteBuffer.wrap(toOpenssl));
        assertThat(a.client().awaitStdoutBytes(toOpenssl.length, TIMEOUT)).isEqualTo(toOpenssl);

        byte[] toWeft = new byte[256 * 1024];
        new Random(3).nextBytes(toWeft);
        OutputStream stdin = a.client().stdin();
        Future<?> writer = executor.submit(() -> {
            stdin.write(toWeft);
            stdin.flush();
            return null;
        });
        assertThat(readExactly(conn, toWeft.length)).isEqualTo(toWeft);
        writer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        stdin.close(); // s_client sends close_notify and exits
        assertThat(conn.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        assertThat(a.client().awaitExit(TIMEOUT)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void weftServersCloseWriteEndsTheOpensslClientCleanly(String version) throws Exception {
        Accepted a = sClient(serverConfig(), "-CAfile", caPem.toString(), version);
        TlsConn conn = a.conn();
        writeAll(conn, "goodbye from weft\n");
        conn.closeWrite();
        // s_client reads our data, then close_notify: it exits 0 without an error.
        assertThat(a.client().awaitExit(TIMEOUT)).as(a.client().describe("exit code")).isZero();
        assertThat(a.client().stdoutText()).isEqualTo("goodbye from weft\n");
        assertThat(a.client().stderrText()).doesNotContain("error");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void weftServerThatReadsFirstVerifiesAnOpensslClientCertificate(String version) throws Exception {
        TlsConfig requiring = TlsConfig.builder().certificate(server.chain(), server.privateKey())
                .trustedCertificates(List.of(ca.certificate())).clientAuth(TlsConfig.ClientAuth.REQUIRE).build();
        Accepted a = sClient(requiring, "-CAfile", caPem.toString(), "-cert", clientPem.toString(),
                "-key", clientKey.toString(), version);
        TlsConn conn = a.conn();
        conn.handshake();
        assertThat(conn.protocol()).isEqualTo(protocolName(version));
        assertThat(conn.peerCertificates()).first().isEqualTo(client.certificate());
        // The server only reads: in TLS 1.2 its Finished is the handshake's last message, and
        // s_client sends nothing before it has that. (10 s: ample for three bytes, and the
        // failure, if any, comes sooner.)
        conn.setReadDeadline(Instant.now().plusSeconds(10));
        a.client().stdin().write("hi\n".getBytes(StandardCharsets.US_ASCII));
        a.client().stdin().flush();
        assertThat(new String(readExactly(conn, 3), StandardCharsets.US_ASCII)).isEqualTo("hi\n");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void opensslClientWithTheWrongCaRefusesWeftServer(String version) throws Exception {
        Accepted a = sClient(serverConfig(), "-CAfile", otherCaPem.toString(), version);
        TlsConn conn = a.conn();
        assertThatThrownBy(conn::handshake).isInstanceOfSatisfying(TlsHandshakeException.class, e -> {
            // OpenSSL sends unknown_ca (in TLS 1.3 as a plaintext alert, which the JDK reports as
            // "Unexpected plaintext alert received"): for Weft the peer refused the handshake.
            assertThat(e.reason()).as("reason of %s", e).isEqualTo(TlsHandshakeException.Reason.PEER_ALERT);
            assertThat(e.getMessage()).contains("unknown_ca");
        });
        assertThat(a.client().awaitExit(TIMEOUT)).isNotZero();
        // Weft sends the whole chain (leaf and CA), so OpenSSL finds an untrusted self-signed root.
        assertThat(a.client().stderrText()).contains("self-signed certificate in certificate chain")
                .contains("certificate verify failed");
    }
}

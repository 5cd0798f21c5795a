package io.weft.yamux.interop;

import static io.weft.yamux.interop.InteropSupport.TIMEOUT;
import static io.weft.yamux.interop.InteropSupport.echoEveryStream;
import static io.weft.yamux.interop.TlsFixture.args;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.tls.TlsConfig;
import io.weft.netpoll.tls.TlsHandshakeException;
import io.weft.yamux.YamuxConfig;
import io.weft.yamux.interop.InteropSupport.JavaServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Go's crypto/tls + hashicorp/yamux client (weftpeer {@code echo-client}, {@code ping}, {@code
 * tls-probe}) against Weft's yamux server over {@link io.weft.netpoll.tls.TlsConn}: bulk and
 * many-stream echo verified by Go, TLS 1.2, mutual TLS, and refused clients (wrong CA, missing
 * client certificate) after which the server keeps serving.
 */
class TlsGoClientJavaServerTest {

    @TempDir
    static Path certs;
    private static TlsFixture tls;

    @BeforeAll
    static void generateCertificates() throws Exception {
        tls = TlsFixture.create(certs);
    }

    static JavaServer echoServer(TlsConfig config) throws IOException {
        return JavaServer.tls(YamuxConfig.defaults(), config, echoEveryStream());
    }

    /** Runs a weftpeer client mode against {@code server}; it must exit 0. Returns its JSON line. */
    static Map<String, String> runGo(JavaServer server, Duration timeout, String mode, String... args)
            throws Exception {
        try (GoPeer client = start(server, mode, args)) {
            client.assertSucceeds(timeout);
            server.assertNoFailures();
            return client.jsonResult();
        }
    }

    static GoPeer start(JavaServer server, String mode, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("-addr", server.address()));
        all.addAll(List.of(args));
        return GoPeer.start(mode, all.toArray(String[]::new));
    }

    /** Runs a weftpeer client mode that must fail; returns its stderr. */
    static String runGoExpectingFailure(JavaServer server, String mode, String... args) throws Exception {
        try (GoPeer client = start(server, mode, args)) {
            assertThat(client.awaitExit(TIMEOUT)).as("exit code of %s\n%s", client, client.stderr()).isEqualTo(1);
            return client.stderr();
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void goEchoClientVerifiesBulkOnOneStream() throws Exception {
        long bytes = TlsJavaClientGoServerTest.BULK_BYTES;
        Duration timeout = TlsJavaClientGoServerTest.BULK_TIMEOUT;
        try (JavaServer server = echoServer(tls.weftServer())) {
            Map<String, String> result = runGo(server, timeout, "echo-client", args(tls.goClient(),
                    List.of("-streams", "1", "-bytes", String.valueOf(bytes), "-timeout", timeout.toSeconds() + "s")));
            assertThat(result).containsEntry("verified", "true").containsEntry("tls", "true")
                    .containsEntry("bytesPerStream", String.valueOf(bytes));
            assertThat(server.tlsConns()).singleElement().satisfies(c -> {
                assertThat(c.protocol()).isEqualTo("TLSv1.3");
                assertThat(c.peerCertificates()).isEmpty();
            });
        }
    }

    @Test
    void goEchoClientVerifiesAThousandConcurrentStreams() throws Exception {
        try (JavaServer server = echoServer(tls.weftServer())) {
            assertThat(runGo(server, TIMEOUT, "echo-client",
                    args(tls.goClient(), List.of("-streams", "1000", "-bytes", "16384"))))
                    .containsEntry("streams", "1000").containsEntry("verified", "true");
        }
    }

    @Test
    void tls12WhenGoGoesNoHigher() throws Exception {
        try (JavaServer server = echoServer(tls.weftServer())) {
            assertThat(runGo(server, TIMEOUT, "echo-client",
                    args(tls.goClient(), List.of("-tls-max", "1.2", "-streams", "8", "-bytes", String.valueOf(1 << 20)))))
                    .containsEntry("verified", "true");
            assertThat(server.tlsConns()).singleElement()
                    .satisfies(c -> assertThat(c.protocol()).isEqualTo("TLSv1.2"));
        }
    }

    @Test
    void mutualTlsWeftVerifiesGosClientCertificate() throws Exception {
        try (JavaServer server = echoServer(tls.weftServerRequiringClientCertificates())) {
            assertThat(runGo(server, TIMEOUT, "echo-client",
                    args(tls.goClientWithCertificate(), List.of("-streams", "16", "-bytes", "100000"))))
                    .containsEntry("verified", "true");
            assertThat(runGo(server, TIMEOUT, "ping", args(tls.goClientWithCertificate()))).containsEntry("pings", "3");
            assertThat(server.handshakeFailures()).isEmpty();
            assertThat(server.tlsConns()).hasSize(2).allSatisfy(
                    c -> assertThat(c.peerCertificates()).first().isEqualTo(tls.client.certificate()));
        }
    }

    @Test
    void goClientWithTheWrongCaRefusesWeftAndWeftKeepsServing() throws Exception {
        try (JavaServer server = echoServer(tls.weftServer())) {
            String stderr = runGoExpectingFailure(server, "tls-probe", args(tls.goClientTrustingTheOtherCa()));
            assertThat(stderr).contains("certificate signed by unknown authority");
            await().atMost(TIMEOUT).until(() -> !server.handshakeFailures().isEmpty());
            // Go sends a bad_certificate alert: for Weft the peer refused the handshake.
            assertThat(server.handshakeFailures()).singleElement().isInstanceOfSatisfying(TlsHandshakeException.class,
                    e -> {
                        assertThat(e.reason()).as("reason of %s", e).isEqualTo(TlsHandshakeException.Reason.PEER_ALERT);
                        assertThat(e.getMessage()).contains("bad_certificate");
                    });
            assertThat(runGo(server, TIMEOUT, "echo-client", args(tls.goClient(), List.of("-streams", "4"))))
                    .containsEntry("verified", "true");
        }
    }

    @Test
    void weftRequiringAClientCertificateRefusesAGoClientWithoutOneAndKeepsServing() throws Exception {
        try (JavaServer server = echoServer(tls.weftServerRequiringClientCertificates())) {
            // TLS 1.3: Go's handshake is over before Weft has read the empty certificate message,
            // so the refusal reaches Go on its first read (the yamux ping).
            String stderr = runGoExpectingFailure(server, "tls-probe", args(tls.goClient(), List.of("-yamux-ping")));
            assertThat(stderr).contains("yamux ping read: remote error: tls: certificate required");
            await().atMost(TIMEOUT).until(() -> server.handshakeFailures().size() == 1);
            assertThat(server.handshakeFailures().get(0)).isInstanceOfSatisfying(TlsHandshakeException.class, e -> {
                assertThat(e.reason()).as("reason of %s", e).isEqualTo(TlsHandshakeException.Reason.CLIENT_CERTIFICATE_REQUIRED);
                assertThat(e.getMessage()).contains("requires a client certificate and none was sent");
            });
            // TLS 1.2: the refusal is part of Go's handshake.
            String stderr12 = runGoExpectingFailure(server, "tls-probe",
                    args(tls.goClient(), List.of("-tls-max", "1.2")));
            // The JDK's TLS 1.2 server sends handshake_failure here.
            assertThat(stderr12).contains("tls handshake with").contains("remote error: tls: handshake failure");
            await().atMost(TIMEOUT).until(() -> server.handshakeFailures().size() == 2);
            assertThat(server.handshakeFailures().get(1)).isInstanceOfSatisfying(TlsHandshakeException.class,
                    e -> assertThat(e.reason()).as("reason of %s", e).isEqualTo(TlsHandshakeException.Reason.CLIENT_CERTIFICATE_REQUIRED));
            assertThat(runGo(server, TIMEOUT, "echo-client",
                    args(tls.goClientWithCertificate(), List.of("-streams", "4"))))
                    .containsEntry("verified", "true");
        }
    }

    @Test
    void plainYamuxClientIsRefusedAsNotTls() throws Exception {
        try (JavaServer server = echoServer(tls.weftServer())) {
            String stderr = runGoExpectingFailure(server, "ping", "-timeout", "20s");
            assertThat(stderr).isNotEmpty();
            await().atMost(TIMEOUT).until(() -> server.handshakeFailures().size() == 1);
            assertThat(server.handshakeFailures().get(0)).isInstanceOfSatisfying(TlsHandshakeException.class,
                    e -> assertThat(e.reason()).as("reason of %s", e).isEqualTo(TlsHandshakeException.Reason.NOT_TLS));
        }
    }
}

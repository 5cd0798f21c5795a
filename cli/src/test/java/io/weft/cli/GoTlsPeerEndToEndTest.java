package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.tls.GeneratedCertificate;
import io.weft.yamux.interop.GoPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft ping}, {@code bench} and {@code echo} against Go's crypto/tls + hashicorp/yamux (the
 * weftpeer test program), both ways: what a user testing a Go TLS yamux endpoint with Weft runs.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GoTlsPeerEndToEndTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static Path caPem;
    private static Path serverPem;
    private static Path serverKey;
    private static Path clientPem;
    private static Path clientKey;

    @BeforeAll
    static void certificates() throws Exception {
        GeneratedCertificate ca = GeneratedCertificate.builder().names("weft-test-ca").certificateAuthority(true)
                .validUntil(Instant.now().plus(1, ChronoUnit.DAYS)).build();
        GeneratedCertificate server = GeneratedCertificate.builder().names("localhost", "127.0.0.1").issuer(ca).build();
        GeneratedCertificate client = GeneratedCertificate.builder().names("weft-client").issuer(ca).build();
        caPem = dir.resolve("ca.pem");
        serverPem = dir.resolve("server.pem");
        serverKey = dir.resolve("server.key");
        clientPem = dir.resolve("client.pem");
        clientKey = dir.resolve("client.key");
        ca.writePem(caPem, dir.resolve("ca.key"));
        server.writePem(serverPem, serverKey);
        client.writePem(clientPem, clientKey);
    }

    @Test
    void weftPingAndBenchReachAGoTlsYamuxServerWithMutualTls() throws Exception {
        try (GoPeer go = GoPeer.startServer("echo", "-tls-cert", serverPem.toString(), "-tls-key", serverKey.toString(),
                "-tls-ca", caPem.toString())) {
            String address = go.address();
            WeftProcess ping = WeftProcess.run(TIMEOUT, "ping", "-c", "3", "-i", "50ms", address,
                    "--tls-ca", caPem.toString(), "--tls-cert", clientPem.toString(), "--tls-key", clientKey.toString());
            ping.assertExit(0, TIMEOUT);
            assertThat(ping.stdout()).contains("3 pings transmitted, 3 received, 0% loss");

            WeftProcess bench = WeftProcess.run(TIMEOUT, "bench", address, "--duration", "500ms", "--streams", "4",
                    "--json", "--tls-ca", caPem.toString(), "--tls-cert", clientPem.toString(),
                    "--tls-key", clientKey.toString());
            bench.assertExit(0, TIMEOUT);
            assertThat(bench.stdout()).contains("\"verified\":true");

            // Without a client certificate Go refuses: authentication failed, one line.
            WeftProcess refused = WeftProcess.run(TIMEOUT, "ping", "-c", "1", address, "--tls-ca", caPem.toString());
            refused.assertExit(Failures.AUTH, TIMEOUT);
            assertThat(refused.stderr().strip().lines()).hasSize(1);
        }
    }

    @Test
    void aGoTlsYamuxClientEchoesThroughWeftEcho() throws Exception {
        try (WeftProcess echo = WeftProcess.start("echo", "--listen", "127.0.0.1:0",
                "--tls-cert", serverPem.toString(), "--tls-key", serverKey.toString())) {
            String address = echo.awaitListening(TIMEOUT);
            try (GoPeer client = GoPeer.start("echo-client", "-addr", address, "-streams", "50", "-bytes", "65536",
                    "-tls-ca", caPem.toString())) {
                client.assertSucceeds(TIMEOUT);
            }
        }
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.tls.TestPki;
import io.weft.yamux.interop.GoPeer;
import java.nio.file.Path;
import java.time.Duration;
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
    private static TestPki pki;

    @BeforeAll
    static void certificates() throws Exception {
        pki = TestPki.create(dir);
    }

    @Test
    void weftPingAndBenchReachAGoTlsYamuxServerWithMutualTls() throws Exception {
        try (GoPeer go = GoPeer.startServer("echo", "-tls-cert", pki.serverPem.toString(), "-tls-key", pki.serverKey.toString(),
                "-tls-ca", pki.caPem.toString())) {
            String address = go.address();
            WeftProcess ping = WeftProcess.run(TIMEOUT, "ping", "-c", "3", "-i", "50ms", address,
                    "--tls-ca", pki.caPem.toString(), "--tls-cert", pki.clientPem.toString(), "--tls-key", pki.clientKey.toString());
            ping.assertExit(0, TIMEOUT);
            assertThat(ping.stdout()).contains("3 pings transmitted, 3 received, 0% loss");

            WeftProcess bench = WeftProcess.run(TIMEOUT, "bench", address, "--duration", "500ms", "--streams", "4",
                    "--json", "--tls-ca", pki.caPem.toString(), "--tls-cert", pki.clientPem.toString(),
                    "--tls-key", pki.clientKey.toString());
            bench.assertExit(0, TIMEOUT);
            assertThat(bench.stdout()).contains("\"verified\":true");

            // Without a client certificate Go refuses: authentication failed, one line.
            WeftProcess refused = WeftProcess.run(TIMEOUT, "ping", "-c", "1", address, "--tls-ca", pki.caPem.toString());
            refused.assertExit(Failures.AUTH, TIMEOUT);
            assertThat(refused.stderr().strip().lines()).hasSize(1);
        }
    }

    @Test
    void aGoTlsYamuxClientEchoesThroughWeftEcho() throws Exception {
        try (WeftProcess echo = WeftProcess.start("echo", "--listen", "127.0.0.1:0",
                "--tls-cert", pki.serverPem.toString(), "--tls-key", pki.serverKey.toString())) {
            String address = echo.awaitListening(TIMEOUT);
            try (GoPeer client = GoPeer.start("echo-client", "-addr", address, "-streams", "50", "-bytes", "65536",
                    "-tls-ca", pki.caPem.toString())) {
                client.assertSucceeds(TIMEOUT);
            }
        }
    }
}

package io.weft.yamux.interop;

import static io.weft.yamux.interop.InteropSupport.echoEveryStream;
import static io.weft.yamux.interop.InteropSupport.echoRoundTrip;
import static io.weft.yamux.interop.TlsFixture.args;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Net;
import io.weft.netpoll.tls.Tls;
import io.weft.netpoll.tls.TlsConn;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import io.weft.yamux.interop.InteropSupport.JavaServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** 1 GiB echoed on one yamux stream over TLS, each way between Weft and Go (run with -Pstress). */
@Tag("stress")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TlsInteropStressTest {

    private static final long GIB = 1L << 30;
    private static final Duration BULK_TIMEOUT = Duration.ofMinutes(4);

    @TempDir
    static Path certs;
    private static TlsFixture tls;

    @BeforeAll
    static void generateCertificates() throws Exception {
        tls = TlsFixture.create(certs);
    }

    @Test
    void weftClientEchoesOneGibibyteThroughAGoTlsServer() throws Exception {
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try (GoPeer server = GoPeer.startServer("echo", args(tls.goServer()));
                TlsConn conn = Tls.client(Net.dial("tcp", server.address(), Duration.ofSeconds(10)),
                        tls.weftClient(), "localhost");
                Session session = Session.client(conn, YamuxConfig.defaults())) {
            echoRoundTrip(session.openStream(), GIB, 1, executor, BULK_TIMEOUT);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void goClientEchoesOneGibibyteThroughAWeftTlsServer() throws Exception {
        try (JavaServer server = JavaServer.tls(YamuxConfig.defaults(), tls.weftServer(), echoEveryStream())) {
            assertThat(TlsGoClientJavaServerTest.runGo(server, BULK_TIMEOUT, "echo-client",
                    args(tls.goClient(), List.of("-streams", "1", "-bytes", String.valueOf(GIB), "-timeout", "4m"))))
                    .containsEntry("verified", "true").containsEntry("bytesPerStream", String.valueOf(GIB));
        }
    }
}

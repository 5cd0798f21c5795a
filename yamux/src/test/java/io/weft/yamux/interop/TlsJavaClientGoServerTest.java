package io.weft.yamux.interop;

import static io.weft.yamux.interop.InteropSupport.TIMEOUT;
import static io.weft.yamux.interop.InteropSupport.echoOnConcurrentStreams;
import static io.weft.yamux.interop.InteropSupport.echoRoundTrip;
import static io.weft.yamux.interop.TlsFixture.args;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.Net;
import io.weft.netpoll.tls.Tls;
import io.weft.netpoll.tls.TlsConfig;
import io.weft.netpoll.tls.TlsConn;
import io.weft.netpoll.tls.TlsHandshakeException;
import io.weft.netpoll.tls.TlsTruncationException;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weft's yamux client over {@link TlsConn} against Go's crypto/tls + hashicorp/yamux echo server
 * (weftpeer {@code echo -tls-cert ...}): bulk and many-stream echo, TLS 1.2, mutual TLS, and the
 * handshake failures a Weft client must report precisely.
 */
class TlsJavaClientGoServerTest {

    /** Bulk echo size: 1 GiB each way took 10-14 s on a 2-CPU VM. */
    static final long BULK_BYTES = 1L << 30;
    /** Deadline of a bulk echo; the test's own timeout is a little longer. */
    static final Duration BULK_TIMEOUT = Duration.ofSeconds(150);

    @TempDir
    static Path certs;
    private static TlsFixture tls;

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void generateCertificates() throws Exception {
        tls = TlsFixture.create(certs);
    }

    @AfterEach
    void closeAll() throws Exception {
        executor.shutdownNow();
        for (AutoCloseable r : resources.reversed()) {
            r.close();
        }
    }

    private GoPeer goServer(String... args) throws IOException {
        GoPeer peer = GoPeer.startServer("echo", args);
        resources.add(peer);
        return peer;
    }

    private TlsConn dial(GoPeer server, TlsConfig config, String serverName) throws IOException {
        TlsConn conn = Tls.client(Net.dial("tcp", server.address(), Duration.ofSeconds(10)), config, serverName);
        resources.add(conn);
        return conn;
    }

    private Session session(TlsConn conn) throws IOException {
        Session session = Session.client(conn, YamuxConfig.defaults());
        resources.add(session);
        return session;
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void bulkEchoOnOneStreamKeepsEveryByte() throws Exception {
        GoPeer server = goServer(args(tls.goServer()));
        TlsConn conn = dial(server, tls.weftClient(), "localhost");
        conn.handshake();
        assertThat(conn.protocol()).isEqualTo("TLSv1.3");
        assertThat(conn.cipherSuite()).startsWith("TLS_");
        assertThat(conn.peerCertificates()).first().isEqualTo(tls.server.certificate());
        echoRoundTrip(session(conn).openStream(), BULK_BYTES, 1, executor, BULK_TIMEOUT);
    }

    @Test
    void echoOnAThousandConcurrentStreamsKeepsEveryByte() throws Exception {
        GoPeer server = goServer(args(tls.goServer()));
        Session session = session(dial(server, tls.weftClient(), "127.0.0.1"));
        echoOnConcurrentStreams(session, 1000, 16 * 1024, executor);
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void tls12WhenGoGoesNoHigher() throws Exception {
        GoPeer server = goServer(args(tls.goServer(), List.of("-tls-max", "1.2")));
        TlsConn conn = dial(server, tls.weftClient(), "localhost");
        Session session = session(conn);
        List<Future<?>> streams = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            long seed = 300 + i;
            streams.add(executor.submit(() -> {
                echoRoundTrip(session.openStream(), 1 << 20, seed, executor);
                return null;
            }));
        }
        for (Future<?> f : streams) {
            f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(conn.protocol()).isEqualTo("TLSv1.2");
        assertThat(conn.cipherSuite()).startsWith("TLS_ECDHE_");
    }

    @Test
    void mutualTlsGoVerifiesWeftsClientCertificate() throws Exception {
        GoPeer server = goServer(args(tls.goServerRequiringClientCertificates(), List.of("-v")));
        TlsConn conn = dial(server, tls.weftClientWithCertificate(), "localhost");
        Session session = session(conn);
        echoRoundTrip(session.openStream(), 1 << 20, 7, executor);
        assertThat(conn.peerCertificates()).first().isEqualTo(tls.server.certificate());
        // weftpeer -v logs each handshake with the client certificate's subject.
        await().atMost(TIMEOUT).until(() -> server.stderr().contains("tls server"));
        assertThat(server.stderr()).contains("TLS 1.3").contains(TlsFixture.CLIENT_NAME);
    }

    @Test
    void mutualTlsWithoutAClientCertificateIsRefusedByGo() throws Exception {
        GoPeer server = goServer(args(tls.goServerRequiringClientCertificates(), List.of("-tls-max", "1.2")));
        // TLS 1.2: Go refuses inside the handshake with bad_certificate; Weft sent none, so it
        // reports the missing client certificate.
        TlsConn conn = dial(server, tls.weftClient(), "localhost");
        assertThatThrownBy(conn::handshake).isInstanceOfSatisfying(TlsHandshakeException.class, e -> {
            assertThat(e.reason()).as("reason of %s", e).isEqualTo(TlsHandshakeException.Reason.CLIENT_CERTIFICATE_REQUIRED);
            assertThat(e.getMessage()).contains("requires a client certificate").contains("bad_certificate");
        });
        await().atMost(TIMEOUT).until(() -> server.stderr().contains("client didn't provide a certificate"));
    }

    @Test
    void mutualTlsWithoutAClientCertificateIsRefusedByGoAfterTheTls13Handshake() throws Exception {
        // TLS 1.3: the client's handshake is over before the server has read its (empty)
        // certificate; Go's alert (bad_certificate) arrives on the first read, which reports it as
        // the handshake's failure.
        GoPeer server = goServer(args(tls.goServerRequiringClientCertificates()));
        TlsConn conn = dial(server, tls.weftClient(), "localhost");
        conn.handshake();
        conn.setReadDeadline(Instant.now().plus(TIMEOUT));
        assertThatThrownBy(() -> conn.read(ByteBuffer.allocate(1))).isInstanceOfSatisfying(
                TlsHandshakeException.class, e -> {
                    assertThat(e.reason()).as("reason of %s", e).isEqualTo(TlsHandshakeException.Reason.CLIENT_CERTIFICATE_REQUIRED);
                    assertThat(e.getMessage()).contains("requires a client certificate").contains("bad_certificate");
                });
        await().atMost(TIMEOUT).until(() -> server.stderr().contains("client didn't provide a certificate"));
    }

    @Test
    void hostnameMismatchFailsTheHandshakeAndGoKeepsServing() throws Exception {
        GoPeer server = goServer(args(tls.goServer()));
        TlsConn wrongName = dial(server, tls.weftClient(), "wrong.example");
        assertThatThrownBy(wrongName::handshake).isInstanceOfSatisfying(TlsHandshakeException.class, e -> {
            assertThat(e.reason()).as("reason of %s", e).isEqualTo(TlsHandshakeException.Reason.HOSTNAME_MISMATCH);
            assertThat(e.getMessage()).contains("wrong.example");
        });
        // A later read or write reports the same failure.
        assertThatThrownBy(() -> wrongName.write(ByteBuffer.wrap(new byte[1])))
                .isInstanceOfSatisfying(TlsHandshakeException.class,
                        e -> assertThat(e.reason()).as("reason of %s", e).isEqualTo(TlsHandshakeException.Reason.HOSTNAME_MISMATCH));
        Session good = session(dial(server, tls.weftClient(), "localhost"));
        echoRoundTrip(good.openStream(), 100_000, 3, executor);
    }

    @Test
    void serverCertificateFromAnUnknownAuthorityFailsTheHandshake() throws Exception {
        GoPeer server = goServer(args(tls.goServer()));
        TlsConn conn = dial(server, tls.weftClientTrustingTheOtherCa(), "localhost");
        assertThatThrownBy(conn::handshake).isInstanceOfSatisfying(TlsHandshakeException.class,
                e -> assertThat(e.reason()).as("reason of %s", e).isEqualTo(TlsHandshakeException.Reason.UNKNOWN_AUTHORITY));
        await().atMost(TIMEOUT).until(() -> server.stderr().contains("tls handshake with"));
    }

    @Test
    void goDyingWithoutCloseNotifyIsATruncationNotAnEndOfStream() throws Exception {
        GoPeer server = goServer(args(tls.goServer()));
        TlsConn conn = dial(server, tls.weftClient(), "localhost");
        conn.handshake();
        server.close(); // killed: the kernel closes the socket, no close_notify is sent
        conn.setReadDeadline(Instant.now().plus(TIMEOUT));
        // The kernel ends the connection with a FIN, or with a reset when the killed process left
        // bytes unread: either way an error, never a clean end of stream.
        assertThatThrownBy(() -> conn.read(ByteBuffer.allocate(1)))
                .isInstanceOfAny(TlsTruncationException.class, io.weft.netpoll.ConnectionResetException.class);
    }

    @Test
    void pingOverTls() throws Exception {
        Session session = session(dial(goServer(args(tls.goServer())), tls.weftClient(), "localhost"));
        assertThat(session.ping()).isPositive().isLessThan(Duration.ofSeconds(5));
    }
}

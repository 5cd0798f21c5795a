package io.weft.netpoll.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import io.weft.netpoll.TestThreads;
import io.weft.netpoll.TestThreads.Call;
import io.weft.netpoll.TestThreads.Kind;
import io.weft.netpoll.spi.Addresses;
import io.weft.netpoll.tls.TlsHandshakeException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Handshakes that must fail, and how: each with a typed {@link TlsHandshakeException} whose
 * reason and message say why, on real TCP connections; plus ALPN, mutual TLS and the handshake
 * timeout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsHandshakeTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final TestThreads threads = new TestThreads();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        threads.joinAll(PATIENCE);
    }

    /** A connected TCP pair: [dialed, accepted]. */
    private Conn[] tcpPair() throws Exception {
        Listener listener = Net.listen("tcp", "127.0.0.1:0");
        closeables.add(listener);
        Conn dialed = Net.dial("tcp", Addresses.format(listener.address()));
        Conn accepted = listener.accept();
        closeables.add(dialed);
        closeables.add(accepted);
        return new Conn[] {dialed, accepted};
    }

    /** Runs both handshakes at once; returns [client failure, server failure], null where it succeeded. */
    private Throwable[] handshakeBoth(TlsConn client, TlsConn server) throws Exception {
        Call<Throwable> s = threads.start(Kind.VIRTUAL, () -> catchThrowable(server::handshake));
        Throwable c = catchThrowable(client::handshake);
        Throwable sf = s.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        return new Throwable[] {c, sf};
    }

    @Test
    void unknownAuthorityIsRefusedOnTheClientAndTheServerHearsWhy() throws Exception {
        Conn[] raw = tcpPair();
        TlsConn client = Tls.client(raw[0], TlsConfig.builder().build(), "localhost"); // the JDK's CAs only
        TlsConn server = Tls.server(raw[1], TestTls.server(Duration.ofSeconds(1)));
        Throwable[] failures = handshakeBoth(client, server);
        assertThat(failures[0]).isInstanceOf(TlsHandshakeException.class)
                .hasMessageStartingWith("tls handshake with 127.0.0.1:")
                .hasMessageEndingWith(": certificate signed by unknown authority");
        assertThat(((TlsHandshakeException) failures[0]).reason()).isEqualTo(Reason.UNKNOWN_AUTHORITY);
        assertThat(failures[1]).isInstanceOf(TlsHandshakeException.class).hasMessageContaining("client 127.0.0.1:");
        assertThat(((TlsHandshakeException) failures[1]).reason()).isEqualTo(Reason.PEER_ALERT);
        // Sticky: the same failure again, without touching the network.
        assertThatThrownBy(() -> client.write(ByteBuffer.allocate(1))).isSameAs(failures[0]);
    }

    @Test
    void hostNameMismatchIsRefused() throws Exception {
        Conn[] raw = tcpPair();
        TlsConn client = Tls.client(raw[0], TestTls.client(Duration.ofSeconds(1)), "weft.example.com");
        TlsConn server = Tls.server(raw[1], TestTls.server(Duration.ofSeconds(1)));
        Throwable[] failures = handshakeBoth(client, server);
        assertThat(failures[0]).isInstanceOf(TlsHandshakeException.class).hasMessageContaining("certificate is not valid for weft.example.com");
        assertThat(((TlsHandshakeException) failures[0]).reason()).isEqualTo(Reason.HOSTNAME_MISMATCH);
        assertThatThrownBy(client::handshake).isSameAs(failures[0]);
    }

    @Test
    void anIpLiteralServerNameIsVerifiedAgainstTheIpAddresses() throws Exception {
        Conn[] raw = tcpPair();
        TlsConn client = Tls.client(raw[0], TestTls.client(Duration.ofSeconds(1)), "127.0.0.1");
        TlsConn server = Tls.server(raw[1], TestTls.server(Duration.ofSeconds(1)));
        assertThat(handshakeBoth(client, server)).containsOnlyNulls();
        assertThat(client.protocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void plainTextSentToATlsServerIsNotTls() throws Exception {
        Conn[] raw = tcpPair();
        TlsConn server = Tls.server(raw[1], TestTls.server(Duration.ofSeconds(1)));
        raw[0].write(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        Throwable failure = catchThrowable(server::handshake);
        assertThat(failure).isInstanceOf(TlsHandshakeException.class).hasMessageContaining("does not speak TLS");
        assertThat(((TlsHandshakeException) failure).reason()).isEqualTo(Reason.NOT_TLS);
    }

    @Test
    void aPlainPeerAnsweringAClientHelloIsNotTls() throws Exception {
        Conn[] raw = tcpPair();
        TlsConn client = Tls.client(raw[0], TestTls.client(Duration.ofSeconds(1)), "localhost");
        // A yamux peer: reads whatever arrives and answers with a 12-byte yamux header (GoAway).
        threads.start(Kind.VIRTUAL, () -> {
            raw[1].read(ByteBuffer.allocate(4096));
            return raw[1].write(ByteBuffer.wrap(new byte[] {0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
        });
        Throwable failure = catchThrowable(client::handshake);
        assertThat(failure).isInstanceOf(TlsHandshakeException.class);
        assertThat(((TlsHandshakeException) failure).reason()).isEqualTo(Reason.NOT_TLS);
    }

    @Test
    void aPeerThatHangsUpMidHandshakeIsPeerClosed() throws Exception {
        Conn[] raw = tcpPair();
        TlsConn client = Tls.client(raw[0], TestTls.client(Duration.ofSeconds(1)), "localhost");
        threads.start(Kind.VIRTUAL, () -> {
            raw[1].read(ByteBuffer.allocate(4096));
            raw[1].close();
            return null;
        });
        Throwable failure = catchThrowable(client::handshake);
        assertThat(failure).isInstanceOf(TlsHandshakeException.class).hasMessageContaining("closed the connection during the handshake");
        assertThat(((TlsHandshakeException) failure).reason()).isEqualTo(Reason.PEER_CLOSED);
    }

    @Test
    void aStalledPeerIsCutByTheHandshakeTimeout() throws Exception {
        Conn[] raw = tcpPair();
        TlsConfig config = TestTls.server(Duration.ofSeconds(1)).toBuilder().handshakeTimeout(Duration.ofMillis(300)).build();
        TlsConn server = Tls.server(raw[1], config);
        raw[0].write(ByteBuffer.wrap(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01})); // half a ClientHello
        long start = System.nanoTime();
        Throwable failure = catchThrowable(server::handshake);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(failure).isInstanceOf(DeadlineExceededException.class).hasMessageContaining("handshake timeout (300 ms)");
        assertThat(tookMillis).isBetween(250L, 5_000L);
        // The deadline was only the handshake's: the connection's own deadlines are untouched.
        raw[1].setReadDeadline(null);
    }

    @Test
    void theCallersEarlierDeadlineBoundsTheHandshakeAndIsReportedAsIs() throws Exception {
        Conn[] raw = tcpPair();
        TlsConn server = Tls.server(raw[1], TestTls.server(Duration.ofSeconds(1)));
        server.setDeadline(Instant.now().plusMillis(100));
        Throwable failure = catchThrowable(server::handshake);
        assertThat(failure).isInstanceOf(DeadlineExceededException.class).hasMessageNotContaining("handshake timeout");
    }

    @Test
    void alpnPicksTheFirstProtocolBothSpeak() throws Exception {
        Conn[] raw = tcpPair();
        TlsConn client = Tls.client(raw[0], TestTls.client(Duration.ofSeconds(1)).toBuilder()
                .applicationProtocols("h2", "yamux").build(), "localhost");
        TlsConn server = Tls.server(raw[1], TestTls.server(Duration.ofSeconds(1)).toBuilder()
                .applicationProtocols("yamux").build());
        assertThat(handshakeBoth(client, server)).containsOnlyNulls();
        assertThat(client.applicationProtocol()).isEqualTo("yamux");
        assertThat(server.applicationProtocol()).isEqualTo("yamux");
    }

    @Test
    void mutualTlsAcceptsAClientCertificateAndRefusesAClientWithout() throws Exception {
        TlsConfig requiring = TestTls.server(Duration.ofSeconds(1)).toBuilder().clientAuth(TlsConfig.ClientAuth.REQUIRE).build();
        Conn[] raw = tcpPair();
        TlsConn client = Tls.client(raw[0], TestTls.client(Duration.ofSeconds(1)), "localhost");
        TlsConn server = Tls.server(raw[1], requiring);
        assertThat(handshakeBoth(client, server)).containsOnlyNulls();
        assertThat(server.peerCertificates()).hasSize(1);

        Conn[] raw2 = tcpPair();
        TlsConn anonymous = Tls.client(raw2[0], TestTls.anonymousClient(), "localhost");
        TlsConn server2 = Tls.server(raw2[1], requiring);
        Call<Throwable> serverSide = threads.start(Kind.VIRTUAL, () -> catchThrowable(server2::handshake));
        // TLS 1.3: the client's handshake ends before the server has judged it; the refusal
        // arrives as the first read's failure.
        Throwable clientFailure = catchThrowable(() -> {
            anonymous.handshake();
            anonymous.read(ByteBuffer.allocate(1));
        });
        Throwable serverFailure = serverSide.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(serverFailure).isInstanceOf(TlsHandshakeException.class);
        assertThat(((TlsHandshakeException) serverFailure).reason()).isEqualTo(Reason.CLIENT_CERTIFICATE_REQUIRED);
        assertThat(clientFailure).isInstanceOf(TlsHandshakeException.class);
        assertThat(((TlsHandshakeException) clientFailure).reason()).isEqualTo(Reason.CLIENT_CERTIFICATE_REQUIRED);
    }

    @Test
    void noProtocolVersionInCommonIsProtocolVersion() throws Exception {
        Conn[] raw = tcpPair();
        TlsConn client = Tls.client(raw[0], TestTls.client(Duration.ofSeconds(1)).toBuilder().protocols("TLSv1.2").build(), "localhost");
        TlsConn server = Tls.server(raw[1], TestTls.server(Duration.ofSeconds(1)).toBuilder().protocols("TLSv1.3").build());
        Throwable[] failures = handshakeBoth(client, server);
        assertThat(((TlsHandshakeException) failures[0]).reason()).isIn(Reason.PROTOCOL_VERSION);
        assertThat(((TlsHandshakeException) failures[1]).reason()).isIn(Reason.PROTOCOL_VERSION);
    }

    @Test
    void aServerWithAPinRequiresAClientCertificateWhateverClientAuthSays() throws Exception {
        Conn[] raw = tcpPair();
        GeneratedCertificate serverCert = GeneratedCertificate.selfSigned("localhost");
        TlsConfig pinningServer = TlsConfig.builder().certificate(serverCert.chain(), serverCert.privateKey())
                .pin(TestTls.certificate().pin()).build(); // clientAuth left at NONE
        TlsConn client = Tls.client(raw[0], TlsConfig.builder().pin(serverCert.pin()).build(), "localhost");
        TlsConn server = Tls.server(raw[1], pinningServer);
        Call<Throwable> serverSide = threads.start(Kind.VIRTUAL, () -> catchThrowable(server::handshake));
        client.setReadDeadline(Instant.now().plusSeconds(5)); // were the client let in, this read would wait
        catchThrowable(() -> {
            client.handshake();
            client.read(ByteBuffer.allocate(1));
        });
        Throwable serverFailure = serverSide.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(serverFailure).isInstanceOf(TlsHandshakeException.class);
        assertThat(((TlsHandshakeException) serverFailure).reason()).isEqualTo(Reason.CLIENT_CERTIFICATE_REQUIRED);
    }

    @Test
    void aServerNameThatCannotBeSentAsSniIsStillVerified() throws Exception {
        Conn[] raw = tcpPair();
        // An underscore is not allowed in SNI; the handshake goes ahead without it.
        TlsConn client = Tls.client(raw[0], TestTls.client(Duration.ofSeconds(1)), "my_service");
        TlsConn server = Tls.server(raw[1], TestTls.server(Duration.ofSeconds(1)));
        Throwable[] failures = handshakeBoth(client, server);
        assertThat(((TlsHandshakeException) failures[0]).reason()).as("%s", failures[0]).isEqualTo(Reason.HOSTNAME_MISMATCH);
        assertThat(failures[0]).hasMessageContaining("not valid for my_service");
    }

    @Test
    void anAlertAfterApplicationDataIsAReadErrorNotAHandshakeFailure() throws Exception {
        Conn[] raw = tcpPair();
        TlsConn client = Tls.client(raw[0], TestTls.client(Duration.ofSeconds(1)), "localhost");
        TlsConn server = Tls.server(raw[1], TestTls.server(Duration.ofSeconds(1)));
        assertThat(handshakeBoth(client, server)).containsOnlyNulls();
        client.write(ByteBuffer.wrap(new byte[] {1}));
        assertThat(server.read(ByteBuffer.allocate(1))).isEqualTo(1);
        server.write(ByteBuffer.wrap(new byte[] {2}));
        assertThat(client.read(ByteBuffer.allocate(1))).isEqualTo(1);
        // A forged application-data record under the client's TLS: the server cannot authenticate it.
        byte[] forged = new byte[5 + 32];
        forged[0] = 0x17;
        forged[1] = 0x03;
        forged[2] = 0x03;
        forged[4] = 32;
        raw[0].write(ByteBuffer.wrap(forged));
        Throwable serverFailure = catchThrowable(() -> server.read(ByteBuffer.allocate(64)));
        assertThat(serverFailure).isInstanceOf(javax.net.ssl.SSLException.class).isNotInstanceOf(TlsHandshakeException.class);
        server.close(); // sends the fatal alert the failure left queued
        Throwable clientFailure = catchThrowable(() -> client.read(ByteBuffer.allocate(64)));
        assertThat(clientFailure).isInstanceOf(javax.net.ssl.SSLException.class)
                .isNotInstanceOf(TlsHandshakeException.class).hasMessageContaining("alert");
    }
}

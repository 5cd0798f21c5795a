package io.weft.netpoll.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.netpoll.tls.TlsConfig.ClientAuth;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The SSLContexts {@link TlsConfig.Builder} makes from certificates, trusted authorities and pins,
 * tried in real handshakes between JDK SSLSockets on loopback, configured with the parameters of
 * the engines {@link TlsConfig#createEngine} makes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsConfigBuilderTest {
    private static GeneratedCertificate serverCa;
    private static GeneratedCertificate server;
    private static GeneratedCertificate clientCa;
    private static GeneratedCertificate client;
    private static GeneratedCertificate otherCa;

    @BeforeAll
    static void certificates() {
        serverCa = GeneratedCertificate.builder().commonName("server CA").certificateAuthority(true).build();
        server = GeneratedCertificate.builder().names("localhost", "127.0.0.1").issuer(serverCa).build();
        clientCa = GeneratedCertificate.builder().commonName("client CA").certificateAuthority(true).build();
        client = GeneratedCertificate.builder().commonName("client-1").issuer(clientCa).build();
        otherCa = GeneratedCertificate.builder().commonName("other CA").certificateAuthority(true).build();
    }

    @Test
    void aServerFromATrustedAuthorityIsAcceptedByNameAndAddress() throws Exception {
        TlsConfig serverConfig = serverConfig(server).build();
        TlsConfig clientConfig = TlsConfig.builder().trustedCertificates(List.of(serverCa.certificate())).build();
        for (String name : List.of("localhost", "127.0.0.1")) {
            Outcome o = handshake(serverConfig, clientConfig, name).assertOk();
            assertThat(o.client.getProtocol()).isEqualTo("TLSv1.3");
            assertThat(o.client.getPeerCertificates()).containsExactly(server.certificate(), serverCa.certificate());
            assertThat(o.client.getLocalCertificates()).isNull();
        }
    }

    @Test
    void anUnknownAuthorityOrAWrongNameIsRefused() throws Exception {
        TlsConfig serverConfig = serverConfig(server).build();
        Outcome other = handshake(serverConfig, TlsConfig.builder().trustedCertificates(List.of(otherCa.certificate())).build(), "localhost");
        assertThat(other.clientError).isInstanceOf(SSLHandshakeException.class);
        assertThat(messages(other.clientError)).contains("unable to find valid certification path");
        Outcome jdkDefault = handshake(serverConfig, TlsConfig.builder().build(), "localhost");
        assertThat(messages(jdkDefault.clientError)).contains("unable to find valid certification path");

        TlsConfig trusting = TlsConfig.builder().trustedCertificates(List.of(serverCa.certificate())).build();
        assertThat(messages(handshake(serverConfig, trusting, "example.com").clientError))
                .contains("No subject alternative DNS name matching example.com");
        assertThat(messages(handshake(serverConfig, trusting, "127.0.0.2").clientError))
                .contains("No subject alternative names matching IP address 127.0.0.2");
        handshake(serverConfig, trusting.toBuilder().verifyHostname(false).build(), "example.com").assertOk();
    }

    @Test
    void aPinnedServerIsAcceptedWhateverItsNameAuthorityOrDates() throws Exception {
        GeneratedCertificate self = GeneratedCertificate.selfSigned("peer.test");
        TlsConfig pinned = TlsConfig.builder().pin(self.pin()).build();
        assertThat(pinned.verifiesHostname()).isFalse();
        Outcome o = handshake(serverConfig(self).build(), pinned, "somewhere.else").assertOk();
        assertThat(o.client.getPeerCertificates()).containsExactly(self.certificate());

        Instant now = Instant.now();
        GeneratedCertificate expired = GeneratedCertificate.builder().names("old.test")
                .validFrom(now.minus(Duration.ofDays(9))).validUntil(now.minus(Duration.ofDays(2))).build();
        handshake(serverConfig(expired).build(), TlsConfig.builder().pin(expired.pin()).build(), "old.test").assertOk();
    }

    @Test
    void aServerWithAnotherCertificateFailsThePin() throws Exception {
        CertificatePin wrong = GeneratedCertificate.selfSigned("localhost").pin();
        Outcome o = handshake(serverConfig(server).build(), TlsConfig.builder().pin(wrong).build(), "localhost");
        assertThat(o.clientError).isInstanceOf(SSLHandshakeException.class);
        assertThat(messages(o.clientError)).contains("certificate pin mismatch: the peer's certificate is "
                + server.pin() + ", expected " + wrong);
        assertThat(o.serverError).isNotNull();
    }

    @Test
    void mutualTlsAcceptsAClientFromTheTrustedAuthorityOnly() throws Exception {
        TlsConfig serverConfig = serverConfig(server).trustedCertificates(List.of(clientCa.certificate()))
                .clientAuth(ClientAuth.REQUIRE).build();
        TlsConfig.Builder clientBase = TlsConfig.builder().trustedCertificates(List.of(serverCa.certificate()));

        Outcome ok = handshake(serverConfig, clientBase.certificate(client.chain(), client.privateKey()).build(), "localhost")
                .assertOk();
        assertThat(ok.server.getPeerCertificates()).containsExactly(client.certificate(), clientCa.certificate());

        Outcome none = handshake(serverConfig, TlsConfig.builder().trustedCertificates(List.of(serverCa.certificate())).build(),
                "localhost");
        assertThat(none.serverError).isInstanceOf(SSLHandshakeException.class);
        assertThat(messages(none.serverError)).contains("Empty client certificate chain");
        assertThat(none.clientError).isNotNull();

        GeneratedCertificate stranger = GeneratedCertificate.builder().commonName("stranger").issuer(otherCa).build();
        Outcome refused = handshake(serverConfig,
                clientBase.certificate(stranger.chain(), stranger.privateKey()).build(), "localhost");
        // The server names its authorities in the request, so the JDK client sends no certificate.
        assertThat(refused.serverError).isInstanceOf(SSLHandshakeException.class);
        assertThat(messages(refused.serverError)).contains("Empty client certificate chain");
        assertThat(refused.clientError).isNotNull();

        // An impostor authority with the trusted one's name gets its certificate sent, and refused.
        GeneratedCertificate impostorCa = GeneratedCertificate.builder().commonName("client CA").certificateAuthority(true).build();
        GeneratedCertificate forged = GeneratedCertificate.builder().commonName("client-1").issuer(impostorCa).build();
        Outcome forgery = handshake(serverConfig, clientBase.certificate(forged.chain(), forged.privateKey()).build(), "localhost");
        assertThat(forgery.serverError).isInstanceOf(SSLHandshakeException.class);
        assertThat(messages(forgery.serverError)).contains("PKIX path validation failed");
        assertThat(forgery.clientError).isNotNull();
    }

    @Test
    void aServerCanPinItsClientAndRequestInsteadOfRequire() throws Exception {
        TlsConfig pinning = serverConfig(server).pin(client.pin()).clientAuth(ClientAuth.REQUIRE).build();
        TlsConfig clientConfig = TlsConfig.builder().pin(server.pin()).certificate(client.chain(), client.privateKey()).build();
        handshake(pinning, clientConfig, "localhost").assertOk();

        GeneratedCertificate other = GeneratedCertificate.selfSigned("client-2");
        Outcome wrong = handshake(pinning,
                TlsConfig.builder().pin(server.pin()).certificate(other.chain(), other.privateKey()).build(), "localhost");
        assertThat(messages(wrong.serverError)).contains("certificate pin mismatch: the peer's certificate is "
                + other.pin() + ", expected " + client.pin());

        TlsConfig requesting = serverConfig(server).trustedCertificates(List.of(clientCa.certificate()))
                .clientAuth(ClientAuth.REQUEST).build();
        Outcome anonymous = handshake(requesting, TlsConfig.builder().pin(server.pin()).build(), "localhost").assertOk();
        assertThatThrownBy(anonymous.server::getPeerCertificates).isInstanceOf(SSLPeerUnverifiedException.class);
        Outcome named = handshake(requesting, clientConfig, "localhost").assertOk();
        assertThat(named.server.getPeerCertificates()[0]).isEqualTo(client.certificate());
    }

    @ParameterizedTest
    @CsvSource({"EC, TLSv1.3", "RSA, TLSv1.3", "Ed25519, TLSv1.3", "EC, TLSv1.2", "RSA, TLSv1.2", "Ed25519, TLSv1.2"})
    void everyKeyTypeHandshakesBothWays(String algorithm, String protocol) throws Exception {
        GeneratedCertificate ca = GeneratedCertificate.builder().commonName(algorithm + " CA").keyAlgorithm(algorithm)
                .certificateAuthority(true).build();
        GeneratedCertificate serverCert = GeneratedCertificate.builder().names("localhost").keyAlgorithm(algorithm)
                .issuer(ca).build();
        GeneratedCertificate clientCert = GeneratedCertificate.builder().commonName("c").keyAlgorithm(algorithm)
                .issuer(ca).build();
        TlsConfig serverConfig = serverConfig(serverCert).trustedCertificates(List.of(ca.certificate()))
                .clientAuth(ClientAuth.REQUIRE).protocols(protocol).build();
        TlsConfig clientConfig = TlsConfig.builder().certificate(clientCert.chain(), clientCert.privateKey())
                .trustedCertificates(List.of(ca.certificate())).protocols(protocol).build();

        Outcome o = handshake(serverConfig, clientConfig, "localhost").assertOk();
        assertThat(o.client.getProtocol()).isEqualTo(protocol);
        assertThat(o.client.getPeerCertificates()[0]).isEqualTo(serverCert.certificate());
        assertThat(o.server.getPeerCertificates()[0]).isEqualTo(clientCert.certificate());
    }

    @Test
    void builderRefusesContradictorySettings() {
        SSLContext context = TlsConfig.builder().build().sslContext();
        assertThatThrownBy(() -> TlsConfig.builder().sslContext(context).pin(server.pin()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("sslContext cannot be combined with certificate, trustedCertificates or pin;"
                        + " the SSLContext already holds keys and trust");
        assertThatThrownBy(() -> TlsConfig.builder().certificate(server.chain(), server.privateKey()).sslContext(context).build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> serverConfig(server).clientAuth(ClientAuth.REQUIRE).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("client certificates required but nothing to verify them against: set trustedCertificates or pin");
        assertThatThrownBy(() -> TlsConfig.builder().pin(server.pin()).trustedCertificates(List.of(serverCa.certificate())).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("set trustedCertificates or pin, not both");
        assertThatThrownBy(() -> TlsConfig.builder().certificate(List.of(), server.privateKey()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the certificate chain is empty");
        assertThatThrownBy(() -> TlsConfig.builder().trustedCertificates(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no trusted certificates given");
        assertThat(TlsConfig.builder().sslContext(context).clientAuth(ClientAuth.REQUIRE).build().sslContext()).isSameAs(context);
    }

    @Test
    void aCopyKeepsTheMadeContextUntilItsMaterialChanges() {
        TlsConfig config = serverConfig(server).trustedCertificates(List.of(clientCa.certificate())).build();
        TlsConfig copy = config.toBuilder().applicationProtocols("h2").clientAuth(ClientAuth.REQUIRE).build();
        assertThat(copy.sslContext()).isSameAs(config.sslContext());
        assertThat(copy.applicationProtocols()).containsExactly("h2");
        TlsConfig changed = config.toBuilder().trustedCertificates(List.of(otherCa.certificate())).build();
        assertThat(changed.sslContext()).isNotSameAs(config.sslContext());
        assertThat(TlsConfig.of(config.sslContext()).toBuilder().build().sslContext()).isSameAs(config.sslContext());
        assertThatThrownBy(() -> TlsConfig.of(config.sslContext()).toBuilder().pin(server.pin()).build())
                .isInstanceOf(IllegalStateException.class);
        TlsConfig defaults = TlsConfig.builder().applicationProtocols("h2").build();
        TlsConfig pinned = defaults.toBuilder().pin(server.pin()).build();
        assertThat(pinned.sslContext()).isNotSameAs(defaults.sslContext());
        assertThat(pinned.applicationProtocols()).containsExactly("h2");
    }

    private static TlsConfig.Builder serverConfig(GeneratedCertificate cert) {
        return TlsConfig.builder().certificate(cert.chain(), cert.privateKey());
    }

    /** Both ends of one handshake: each side's session, or the exception it ended with. */
    record Outcome(SSLSession client, Throwable clientError, SSLSession server, Throwable serverError) {
        Outcome assertOk() {
            if (clientError != null || serverError != null) {
                throw new AssertionError("handshake failed: client " + clientError + ", server " + serverError,
                        clientError != null ? clientError : serverError);
            }
            return this;
        }
    }

    /**
     * Handshakes over loopback and then exchanges one byte each way, so that a refusal the server
     * sends after the client's last handshake flight (TLS 1.3 client authentication) reaches the client.
     */
    private static Outcome handshake(TlsConfig serverConfig, TlsConfig clientConfig, String serverName) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) serverConfig.sslContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSSLParameters(serverConfig.createEngine(false, null).getSSLParameters());
            CompletableFuture<SSLSession> serverSide = new CompletableFuture<>();
            Thread serverThread = Thread.ofVirtual().start(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    s.getOutputStream().write(1);
                    s.getOutputStream().flush();
                    expect(s.getInputStream().read(), 2);
                    serverSide.complete(s.getSession());
                } catch (Throwable e) {
                    serverSide.completeExceptionally(e);
                }
            });
            SSLSession clientSession = null;
            Throwable clientError = null;
            try (Socket plain = new Socket()) {
                plain.connect(listener.getLocalSocketAddress(), 10_000);
                plain.setSoTimeout(10_000);
                try (SSLSocket s = (SSLSocket) clientConfig.sslContext().getSocketFactory()
                        .createSocket(plain, serverName, listener.getLocalPort(), true)) {
                    s.setSSLParameters(clientConfig.createEngine(true, serverName).getSSLParameters());
                    s.startHandshake();
                    expect(s.getInputStream().read(), 1);
                    s.getOutputStream().write(2);
                    s.getOutputStream().flush();
                    clientSession = s.getSession();
                }
            } catch (IOException e) {
                clientError = e;
            }
            serverThread.join();
            try {
                return new Outcome(clientSession, clientError, serverSide.get(), null);
            } catch (ExecutionException e) {
                return new Outcome(clientSession, clientError, null, e.getCause());
            }
        }
    }

    private static void expect(int read, int want) throws IOException {
        if (read != want) {
            throw new IOException("read " + read + ", want " + want);
        }
    }

    /** Every message in the cause chain, one a line. */
    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }
}

package io.weft.yamux.interop;

import io.weft.netpoll.tls.GeneratedCertificate;
import io.weft.netpoll.tls.TestPki;
import io.weft.netpoll.tls.TlsConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Certificates for the TLS interop tests, generated fresh and written as PEM into a directory (a
 * test class's {@code @TempDir}) for the Go peer: a test CA, a server certificate for {@code
 * localhost} and {@code 127.0.0.1} and a client certificate, both issued by that CA, and an
 * unrelated CA for the wrong-authority cases. Also the matching Weft {@link TlsConfig}s and
 * weftpeer flags. Immutable; any thread.
 */
final class TlsFixture {

    /** The client certificate's name. */
    static final String CLIENT_NAME = TestPki.CLIENT_NAME;

    final GeneratedCertificate ca;
    final GeneratedCertificate server;
    final GeneratedCertificate client;
    final GeneratedCertificate otherCa;
    final Path caPem;
    final Path serverPem;
    final Path serverKey;
    final Path clientPem;
    final Path clientKey;
    final Path otherCaPem;

    private TlsFixture(Path dir) throws Exception {
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

    /** Generates the certificates and writes their PEM files into {@code dir}. */
    static TlsFixture create(Path dir) throws Exception {
        return new TlsFixture(dir);
    }

    /** A Weft server presenting the server certificate. */
    TlsConfig weftServer() {
        return TlsConfig.builder().certificate(server.chain(), server.privateKey()).build();
    }

    /** A Weft server that also requires a client certificate issued by the test CA. */
    TlsConfig weftServerRequiringClientCertificates() {
        return TlsConfig.builder().certificate(server.chain(), server.privateKey())
                .trustedCertificates(List.of(ca.certificate())).clientAuth(TlsConfig.ClientAuth.REQUIRE).build();
    }

    /** A Weft client trusting the test CA only. */
    TlsConfig weftClient() {
        return TlsConfig.builder().trustedCertificates(List.of(ca.certificate())).build();
    }

    /** A Weft client trusting the test CA and presenting the client certificate. */
    TlsConfig weftClientWithCertificate() {
        return TlsConfig.builder().trustedCertificates(List.of(ca.certificate()))
                .certificate(client.chain(), client.privateKey()).build();
    }

    /** A Weft client trusting only the unrelated CA. */
    TlsConfig weftClientTrustingTheOtherCa() {
        return TlsConfig.builder().trustedCertificates(List.of(otherCa.certificate())).build();
    }

    /** weftpeer flags of a TLS server presenting the server certificate. */
    List<String> goServer() {
        return List.of("-tls-cert", serverPem.toString(), "-tls-key", serverKey.toString());
    }

    /** {@link #goServer()} that also requires and verifies client certificates from the test CA. */
    List<String> goServerRequiringClientCertificates() {
        return List.of("-tls-cert", serverPem.toString(), "-tls-key", serverKey.toString(),
                "-tls-ca", caPem.toString());
    }

    /** weftpeer flags of a TLS client trusting the test CA (the server name is the host of -addr). */
    List<String> goClient() {
        return List.of("-tls-ca", caPem.toString());
    }

    /** {@link #goClient()} presenting the client certificate. */
    List<String> goClientWithCertificate() {
        return List.of("-tls-ca", caPem.toString(), "-tls-cert", clientPem.toString(),
                "-tls-key", clientKey.toString());
    }

    /** weftpeer flags of a TLS client trusting only the unrelated CA. */
    List<String> goClientTrustingTheOtherCa() {
        return List.of("-tls-ca", otherCaPem.toString());
    }

    /** Concatenates flag lists into weftpeer arguments. */
    @SafeVarargs
    static String[] args(List<String>... parts) {
        return java.util.Arrays.stream(parts).flatMap(List::stream).toArray(String[]::new);
    }
}

package io.weft.cli;

import io.weft.netpoll.tls.GeneratedCertificate;
import io.weft.netpoll.tls.TlsConfig;
import java.time.Duration;

/**
 * TLS for both ends of an in-process pair ({@code weft bench --tls}): a fresh self-signed
 * certificate for 127.0.0.1, held only in memory; the client pins it. Immutable; any thread.
 */
final class InProcessTls {

    private final GeneratedCertificate certificate;

    private InProcessTls(GeneratedCertificate certificate) {
        this.certificate = certificate;
    }

    /** Generates the certificate (an EC P-256 key pair). */
    static InProcessTls generate() {
        return new InProcessTls(GeneratedCertificate.selfSigned("127.0.0.1", "localhost"));
    }

    /** The server's configuration: presents the certificate. */
    TlsConfig server(Duration handshakeTimeout) {
        return TlsConfig.builder().certificate(certificate.chain(), certificate.privateKey())
                .handshakeTimeout(handshakeTimeout).build();
    }

    /** The client's configuration: accepts exactly this certificate. */
    TlsConfig client(Duration handshakeTimeout) {
        return TlsConfig.builder().pin(certificate.pin()).handshakeTimeout(handshakeTimeout).build();
    }
}

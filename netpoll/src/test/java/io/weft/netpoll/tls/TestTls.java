package io.weft.netpoll.tls;

import java.time.Duration;
import java.util.List;

/**
 * TLS settings for tests: one self-signed EC certificate for {@code localhost} and {@code
 * 127.0.0.1}, made once per JVM; a config presenting it and trusting exactly it (so it serves as
 * server, client and client-certificate config alike). Stateless; any thread.
 */
public final class TestTls {
    private static final GeneratedCertificate CERTIFICATE = GeneratedCertificate.selfSigned("localhost", "127.0.0.1");

    private TestTls() {}

    /** The certificate every config here presents and trusts. */
    public static GeneratedCertificate certificate() {
        return CERTIFICATE;
    }

    /** Presents the certificate and trusts only it; {@code closeNotify} bounds close_notify on close. */
    public static TlsConfig server(Duration closeNotify) {
        return TlsConfig.builder()
                .certificate(CERTIFICATE.chain(), CERTIFICATE.privateKey())
                .trustedCertificates(List.of(CERTIFICATE.certificate()))
                .closeNotifyTimeout(closeNotify)
                .build();
    }

    /** The same as {@link #server}: trusts the certificate (host name verification on) and presents it when asked. */
    public static TlsConfig client(Duration closeNotify) {
        return server(closeNotify);
    }

    /** Trusts the certificate but has none to present. */
    public static TlsConfig anonymousClient() {
        return TlsConfig.builder().trustedCertificates(List.of(CERTIFICATE.certificate())).build();
    }
}

package io.weft.cli;

import io.weft.netpoll.tls.GeneratedCertificate;
import io.weft.netpoll.tls.TlsConfig;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

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
        try {
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("weft", certificate.privateKey(), password,
                    certificate.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return TlsConfig.builder().sslContext(context).handshakeTimeout(handshakeTimeout).build();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot set up in-memory TLS keys", e);
        }
    }

    /** The client's configuration: accepts exactly this certificate. */
    TlsConfig client(Duration handshakeTimeout) {
        return TlsConfig.builder().pin(certificate.pin()).verifyHostname(false).handshakeTimeout(handshakeTimeout).build();
    }
}

package io.weft.netpoll.tls;

import java.io.InputStream;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS settings for tests: a self-signed EC certificate for {@code localhost} and {@code 127.0.0.1}
 * (the fixture {@code tls/localhost.p12}, valid for 100 years), a server config presenting it and a
 * client config trusting exactly it. Stateless; any thread.
 */
public final class TestTls {
    private static final char[] PASSWORD = "weftpass".toCharArray();

    private TestTls() {}

    /** The fixture's key store. */
    public static KeyStore keyStore() {
        try (InputStream in = TestTls.class.getResourceAsStream("/tls/localhost.p12")) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD);
            return ks;
        } catch (Exception e) {
            throw new IllegalStateException("cannot load the test key store", e);
        }
    }

    /** A context that presents the fixture's certificate and trusts only it. */
    public static SSLContext context() {
        try {
            KeyStore ks = keyStore();
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the test TLS context", e);
        }
    }

    /** The server's config: the fixture's certificate; {@code closeNotify} bounds close_notify on close. */
    public static TlsConfig server(Duration closeNotify) {
        return TlsConfig.builder().sslContext(context()).closeNotifyTimeout(closeNotify).build();
    }

    /** The client's config: trusts the fixture; host name verification on. */
    public static TlsConfig client(Duration closeNotify) {
        return TlsConfig.builder().sslContext(context()).closeNotifyTimeout(closeNotify).build();
    }
}

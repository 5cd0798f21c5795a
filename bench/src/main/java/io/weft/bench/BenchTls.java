package io.weft.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS material of the TLS cells: one self-signed EC P-256 certificate for {@code localhost}
 * and {@code 127.0.0.1}, made once per run with the JDK's {@code keytool} into a PKCS#12 file
 * (the Java peers' key and trust) and exported as PEM for the Go peer, and the {@link SSLContext}
 * every Java variant uses. Every Java TLS cell is pinned to TLS 1.3 with
 * {@code TLS_AES_128_GCM_SHA256}, the suite Go picks on AES-capable hardware (the JDK would
 * otherwise prefer AES-256), so Weft, the JDK and Go all run the same cipher. Stateless; any thread.
 */
final class BenchTls {

    /** The suite every Java TLS cell is restricted to; the cells report what was negotiated. */
    static final String CIPHER_SUITE = "TLS_AES_128_GCM_SHA256";

    /** The name the certificate carries and clients verify. */
    static final String SERVER_NAME = "localhost";

    private static final char[] PASSWORD = "weftbench".toCharArray();

    /** The files of one generated certificate. */
    record Material(Path p12, Path certPem, Path keyPem) {}

    private BenchTls() {}

    /**
     * Generates a fresh key and self-signed certificate under {@code dir} with the JDK's keytool
     * at {@code javaHome}, and writes its PEM form.
     */
    static Material generate(Path dir, Path javaHome) throws IOException, GeneralSecurityException, InterruptedException {
        Files.createDirectories(dir);
        Path p12 = dir.resolve("bench.p12");
        Path tmp = dir.resolve("bench.p12.tmp");
        Files.deleteIfExists(tmp);
        Path log = dir.resolve("keytool.log");
        Process keytool = new ProcessBuilder(javaHome.resolve("bin").resolve("keytool").toString(),
                "-genkeypair", "-alias", "bench", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "30",
                "-storetype", "PKCS12", "-keystore", tmp.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            keytool.destroyForcibly();
            throw new IOException("keytool failed: " + Files.readString(log).trim());
        }
        Files.move(tmp, p12, StandardCopyOption.REPLACE_EXISTING);
        KeyStore store = load(p12);
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Files.writeString(cert, pem("CERTIFICATE", store.getCertificate("bench").getEncoded()), StandardCharsets.US_ASCII);
        PrivateKey privateKey = (PrivateKey) store.getKey("bench", PASSWORD);
        Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded()), StandardCharsets.US_ASCII); // PKCS#8
        return new Material(p12, cert, key);
    }

    /**
     * A TLS context with the key of {@code p12} and trusting only its certificate. Restricts the
     * JDK's default suites to {@link #CIPHER_SUITE} first (the properties are read when JSSE
     * initializes, so this must run before anything else in the process touches TLS).
     */
    static SSLContext context(Path p12) throws IOException, GeneralSecurityException {
        System.setProperty("jdk.tls.client.cipherSuites", CIPHER_SUITE);
        System.setProperty("jdk.tls.server.cipherSuites", CIPHER_SUITE);
        KeyStore store = load(p12);
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        Certificate cert = store.getCertificate("bench");
        trusted.setCertificateEntry("bench", cert);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    private static KeyStore load(Path p12) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            store.load(in, PASSWORD);
        }
        return store;
    }

    private static String pem(String type, byte[] der) {
        StringBuilder out = new StringBuilder("-----BEGIN ").append(type).append("-----\n");
        for (String line : List.of(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der).split("\n"))) {
            out.append(line).append('\n');
        }
        return out.append("-----END ").append(type).append("-----\n").toString();
    }
}

package io.weft.netpoll.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Turns a certificate chain, its private key, trusted authorities or a pin into an {@link
 * SSLContext}, and checks that a key belongs to a certificate. Stateless; any thread.
 */
final class KeyMaterial {
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyMaterial() {}

    /** The signature algorithm used with a key of {@code keyAlgorithm}: SHA-256 for RSA and EC, EdDSA for Ed25519. */
    static String signatureAlgorithm(String keyAlgorithm) {
        return switch (family(keyAlgorithm)) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA" -> "EdDSA";
            default -> throw new IllegalArgumentException("unsupported key algorithm " + keyAlgorithm
                    + "; use RSA, EC or Ed25519");
        };
    }

    private static String family(String keyAlgorithm) {
        return keyAlgorithm.startsWith("Ed") ? "EdDSA" : keyAlgorithm;
    }

    /** Whether {@code key} is the private half of {@code publicKey}: signs a message and verifies it. */
    static boolean matches(PrivateKey key, PublicKey publicKey) {
        if (!family(key.getAlgorithm()).equals(family(publicKey.getAlgorithm()))) {
            return false;
        }
        try {
            String algorithm = signatureAlgorithm(key.getAlgorithm());
            byte[] message = new byte[32];
            RANDOM.nextBytes(message);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A TLS context presenting {@code chain} (when {@code key} is not null) and trusting {@code pin}
     * when set, else the {@code trusted} authorities when set, else the JDK's default trust store.
     */
    static SSLContext sslContext(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted,
            CertificatePin pin) {
        try {
            KeyManager[] keyManagers = null;
            if (key != null) {
                char[] password = new char[24];
                for (int i = 0; i < password.length; i++) {
                    password[i] = (char) ('!' + RANDOM.nextInt(94));
                }
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("weft", key, password, chain.toArray(X509Certificate[]::new));
                // PKIX (not SunX509) ranks a certificate by key usage and dates, and picks it by the
                // key type each TLS version and signature scheme asks for: RSA, EC or EdDSA.
                KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
                kmf.init(store, password);
                keyManagers = kmf.getKeyManagers();
            }
            TrustManager[] trustManagers;
            if (pin != null) {
                trustManagers = new TrustManager[] {new PinnedTrustManager(pin)};
            } else {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
                if (trusted == null) {
                    tmf.init((KeyStore) null);
                } else {
                    KeyStore store = KeyStore.getInstance("PKCS12");
                    store.load(null, null);
                    for (int i = 0; i < trusted.size(); i++) {
                        store.setCertificateEntry("ca" + i, trusted.get(i));
                    }
                    tmf.init(store);
                }
                trustManagers = tmf.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("tls: cannot build a TLS context from the certificate and key: "
                    + e.getMessage(), e);
        }
    }
}

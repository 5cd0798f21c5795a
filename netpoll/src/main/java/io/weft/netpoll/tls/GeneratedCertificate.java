package io.weft.netpoll.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A new key pair and an X.509 v3 certificate for it, made with the JDK alone: a self-signed
 * certificate for a server or peer ({@code weft tls init}), a certificate authority, or a leaf
 * certificate signed by such an authority.
 *
 * <pre>{@code
 * GeneratedCertificate cert = GeneratedCertificate.selfSigned("localhost", "127.0.0.1");
 * cert.writePem(Path.of("cert.pem"), Path.of("key.pem"));   // key.pem is 0600
 * String pin = cert.pin().toString();                        // sha256:..., for the peer's config
 * }</pre>
 *
 * <p>Leaf certificates carry the names as subjectAltName DNS names or IP addresses, key usage
 * digitalSignature (and keyEncipherment for RSA), extended key usage serverAuth and clientAuth,
 * and a random positive 128-bit serial number. Authorities carry basicConstraints CA:TRUE and key
 * usage keyCertSign and cRLSign. Every certificate has subject and authority key identifiers.
 *
 * <p>Immutable; any thread.
 */
public final class GeneratedCertificate {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;

    private GeneratedCertificate(X509Certificate certificate, PrivateKey privateKey, List<X509Certificate> issuers) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        List<X509Certificate> all = new ArrayList<>();
        all.add(certificate);
        all.addAll(issuers);
        this.chain = List.copyOf(all);
    }

    /**
     * A self-signed leaf certificate for {@code names} (DNS names such as {@code localhost} or
     * {@code *.example.com}, or IPv4 and IPv6 literals) with a new EC P-256 key, signed with
     * SHA256withECDSA, valid from an hour ago for ten years. The common name is the first name.
     *
     * @throws IllegalArgumentException when a name is neither a DNS name nor an IP literal
     */
    public static GeneratedCertificate selfSigned(String... names) {
        return builder().names(names).build();
    }

    /** A builder with the defaults of {@link #selfSigned}: EC P-256, ten years, a self-signed leaf. */
    public static Builder builder() {
        return new Builder();
    }

    /** The certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The certificate's private key (PKCS#8 encodable). */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The certificate, then the authorities that issued it, nearest first; just the certificate when self-signed. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** The certificate's pin, for a peer that trusts exactly this certificate. */
    public CertificatePin pin() {
        return CertificatePin.of(certificate);
    }

    /**
     * Writes {@link #chain()} to {@code certificateFile} and the private key to {@code
     * privateKeyFile} (owner-only, 0600 on POSIX), both as PEM; see {@link Pem#writePrivateKey}.
     *
     * @throws IOException when a file cannot be written; the message names it
     */
    public void writePem(Path certificateFile, Path privateKeyFile) throws IOException {
        Pem.writeCertificates(certificateFile, chain);
        Pem.writePrivateKey(privateKeyFile, privateKey);
    }

    /**
     * Sets up one certificate; not thread-safe. Defaults: no names, common name the first name
     * (else {@code "weft"}), an EC P-256 key, valid from an hour ago for ten years, a leaf (not an
     * authority), self-signed.
     */
    public static final class Builder {
        private List<String> names = List.of();
        private String commonName;
        private String keyAlgorithm = "EC";
        private Instant validFrom;
        private Instant validUntil;
        private boolean authority;
        private GeneratedCertificate issuer;

        private Builder() {}

        /** DNS names and IP literals for subjectAltName; the first is the default common name. */
        public Builder names(String... names) {
            List<String> copy = List.of(names);
            copy.forEach(AltNames::generalName);
            this.names = copy;
            return this;
        }

        /** The subject's common name (CN); default the first name, else {@code "weft"}. */
        public Builder commonName(String commonName) {
            this.commonName = Objects.requireNonNull(commonName, "commonName");
            return this;
        }

        /**
         * The key: {@code "EC"} (P-256, SHA256withECDSA; the default), {@code "RSA"} (2048 bits,
         * SHA256withRSA) or {@code "Ed25519"}; any case. The issuer's key decides the signature.
         */
        public Builder keyAlgorithm(String algorithm) {
            this.keyAlgorithm = switch (algorithm.toUpperCase(Locale.ROOT)) {
                case "EC" -> "EC";
                case "RSA" -> "RSA";
                case "ED25519" -> "Ed25519";
                default -> throw new IllegalArgumentException("unsupported key algorithm \"" + algorithm
                        + "\"; want EC, RSA or Ed25519");
            };
            return this;
        }

        /** The start of validity (to the second); default an hour before {@link #build()}. */
        public Builder validFrom(Instant start) {
            this.validFrom = Objects.requireNonNull(start, "start");
            return this;
        }

        /** The end of validity (to the second); default ten years after {@link #build()}. */
        public Builder validUntil(Instant end) {
            this.validUntil = Objects.requireNonNull(end, "end");
            return this;
        }

        /** Whether this is a certificate authority that may sign others; default false. */
        public Builder certificateAuthority(boolean authority) {
            this.authority = authority;
            return this;
        }

        /** Signs with {@code ca}'s key, naming its subject as issuer; default self-signed. */
        public Builder issuer(GeneratedCertificate ca) {
            if (ca.certificate.getBasicConstraints() < 0) {
                throw new IllegalArgumentException("the issuer " + ca.certificate.getSubjectX500Principal().getName()
                        + " is not a certificate authority; build it with certificateAuthority(true)");
            }
            this.issuer = ca;
            return this;
        }

        /**
         * Generates the key and the certificate.
         *
         * @throws IllegalArgumentException when the validity period ends before it starts
         */
        public GeneratedCertificate build() {
            Instant now = Instant.now();
            Instant from = (validFrom != null ? validFrom : now.minus(1, ChronoUnit.HOURS)).truncatedTo(ChronoUnit.SECONDS);
            Instant until = (validUntil != null ? validUntil
                    : now.atZone(ZoneOffset.UTC).plusYears(10).toInstant()).truncatedTo(ChronoUnit.SECONDS);
            if (!until.isAfter(from)) {
                throw new IllegalArgumentException("the certificate would be valid until " + until
                        + ", not after its start " + from);
            }
            try {
                KeyPair pair = generateKeyPair(keyAlgorithm);
                PrivateKey signingKey = issuer != null ? issuer.privateKey : pair.getPrivate();
                PublicKey issuerKey = issuer != null ? issuer.certificate.getPublicKey() : pair.getPublic();
                String cn = commonName != null ? commonName : names.isEmpty() ? "weft" : names.get(0);
                byte[] subject = Der.sequence(Der.set(Der.sequence(Der.oid("2.5.4.3"), Der.utf8String(cn))));
                byte[] issuerName = issuer != null ? issuer.certificate.getSubjectX500Principal().getEncoded() : subject;
                byte[] algorithmId = signatureAlgorithmId(signingKey.getAlgorithm());
                byte[] tbs = Der.sequence(
                        Der.explicit(0, Der.integer(BigInteger.TWO)),
                        Der.integer(serialNumber()),
                        algorithmId,
                        issuerName,
                        Der.sequence(Der.time(from), Der.time(until)),
                        subject,
                        pair.getPublic().getEncoded(),
                        Der.explicit(3, extensions(pair.getPublic(), issuerKey)));
                Signature signer = Signature.getInstance(KeyMaterial.signatureAlgorithm(signingKey.getAlgorithm()));
                signer.initSign(signingKey);
                signer.update(tbs);
                byte[] der = Der.sequence(tbs, algorithmId, Der.bitString(signer.sign()));
                X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der));
                return new GeneratedCertificate(cert, pair.getPrivate(), issuer != null ? issuer.chain : List.of());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot generate a " + keyAlgorithm + " certificate: " + e.getMessage(), e);
            }
        }

        private byte[] extensions(PublicKey subjectKey, PublicKey issuerKey) throws GeneralSecurityException {
            List<byte[]> exts = new ArrayList<>();
            if (authority) {
                exts.add(extension("2.5.29.19", true, Der.sequence(Der.bool(true))));
                exts.add(extension("2.5.29.15", true, keyUsage(0, 5, 6))); // digitalSignature, keyCertSign, cRLSign
            } else {
                exts.add(extension("2.5.29.19", true, Der.sequence()));
                exts.add(extension("2.5.29.15", true, keyAlgorithm.equals("RSA")
                        ? keyUsage(0, 2) : keyUsage(0))); // digitalSignature (, keyEncipherment)
                exts.add(extension("2.5.29.37", false, Der.sequence(
                        Der.oid("1.3.6.1.5.5.7.3.1"), Der.oid("1.3.6.1.5.5.7.3.2")))); // serverAuth, clientAuth
            }
            if (!names.isEmpty()) {
                exts.add(extension("2.5.29.17", false, Der.sequence(
                        names.stream().map(AltNames::generalName).toArray(byte[][]::new))));
            }
            exts.add(extension("2.5.29.14", false, Der.octetString(keyIdentifier(subjectKey))));
            exts.add(extension("2.5.29.35", false, Der.sequence(Der.tlv(0x80, keyIdentifier(issuerKey)))));
            return Der.sequence(exts.toArray(byte[][]::new));
        }

        private static byte[] extension(String oid, boolean critical, byte[] value) {
            return critical
                    ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                    : Der.sequence(Der.oid(oid), Der.octetString(value));
        }

        /** A KeyUsage BIT STRING with the given bits (0 to 7; bit 0 is the most significant) set. */
        private static byte[] keyUsage(int... bits) {
            int value = 0;
            int last = 0;
            for (int bit : bits) {
                value |= 0x80 >>> bit;
                last = Math.max(last, bit);
            }
            return Der.bitString(new byte[] {(byte) value}, 7 - last);
        }

        /** RFC 5280's method 1: SHA-1 of the subjectPublicKey bits. */
        private static byte[] keyIdentifier(PublicKey key) throws GeneralSecurityException {
            byte[] bits = Der.parse(key.getEncoded()).children().get(1).contents();
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(bits, 1, bits.length - 1);
            return sha1.digest();
        }

        private static BigInteger serialNumber() {
            BigInteger serial;
            do {
                serial = new BigInteger(128, RANDOM);
            } while (serial.signum() == 0);
            return serial;
        }

        private static KeyPair generateKeyPair(String algorithm) throws GeneralSecurityException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            switch (algorithm) {
                case "EC" -> generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                case "RSA" -> generator.initialize(2048, RANDOM);
                default -> { }
            }
            return generator.generateKeyPair();
        }

        private static byte[] signatureAlgorithmId(String keyAlgorithm) {
            return switch (KeyMaterial.signatureAlgorithm(keyAlgorithm)) {
                case "SHA256withRSA" -> Der.sequence(Der.oid("1.2.840.113549.1.1.11"), Der.nullValue());
                case "SHA256withECDSA" -> Der.sequence(Der.oid("1.2.840.10045.4.3.2"));
                default -> Der.sequence(Der.oid("1.3.101.112")); // Ed25519
            };
        }
    }
}

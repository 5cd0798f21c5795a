package io.weft.netpoll.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GeneratedCertificateTest {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    @TempDir
    Path dir;

    @Test
    void selfSignedCarriesTheNamesAndLeafExtensions() throws Exception {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        GeneratedCertificate generated = GeneratedCertificate.selfSigned("localhost", "127.0.0.1", "::1", "*.weft.test");
        X509Certificate cert = generated.certificate();

        assertThat(cert.getVersion()).isEqualTo(3);
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
        assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(
                List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"), List.of(2, "*.weft.test"));
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getKeyUsage()).startsWith(true, false, false, false, false, false);
        assertThat(cert.getExtendedKeyUsage()).containsExactly(SERVER_AUTH, CLIENT_AUTH);
        assertThat(cert.getCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.19", "2.5.29.15");
        assertThat(cert.getExtensionValue("2.5.29.14")).isNotNull();
        assertThat(cert.getExtensionValue("2.5.29.35")).isNotNull();
        assertThat(cert.getSerialNumber()).isPositive();
        assertThat(cert.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
        assertThat(cert.getNotBefore().toInstant()).isBetween(before.minus(Duration.ofMinutes(61)), before.minus(Duration.ofMinutes(59)));
        assertThat(cert.getNotAfter().toInstant()).isBetween(before.plus(Duration.ofDays(3650)), before.plus(Duration.ofDays(3654)));
        cert.verify(cert.getPublicKey());
        cert.checkValidity();
        assertThat(generated.chain()).containsExactly(cert);
        assertThat(generated.pin()).isEqualTo(CertificatePin.of(cert));
        assertThat(KeyMaterial.matches(generated.privateKey(), cert.getPublicKey())).isTrue();
    }

    @Test
    void serialNumbersAreRandom() {
        BigInteger a = GeneratedCertificate.selfSigned("a").certificate().getSerialNumber();
        BigInteger b = GeneratedCertificate.selfSigned("a").certificate().getSerialNumber();
        assertThat(a).isNotEqualTo(b);
    }

    @ParameterizedTest
    @ValueSource(strings = {"EC", "RSA", "Ed25519"})
    void eachKeyAlgorithmSignsWithItsOwnAlgorithm(String algorithm) throws Exception {
        GeneratedCertificate generated = GeneratedCertificate.builder().names("host.test").keyAlgorithm(algorithm).build();
        X509Certificate cert = generated.certificate();
        cert.verify(cert.getPublicKey());
        assertThat(cert.getSigAlgName()).isEqualTo(switch (algorithm) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> "Ed25519";
        });
        boolean[] usage = cert.getKeyUsage();
        assertThat(usage[0]).isTrue();
        assertThat(usage[2]).isEqualTo(algorithm.equals("RSA"));
        assertThat(KeyMaterial.matches(generated.privateKey(), cert.getPublicKey())).isTrue();
    }

    @Test
    void caIssuedChainPassesPkixValidation() throws Exception {
        GeneratedCertificate ca = GeneratedCertificate.builder().commonName("Weft Test CA").keyAlgorithm("RSA")
                .certificateAuthority(true).build();
        GeneratedCertificate leaf = GeneratedCertificate.builder().names("localhost").issuer(ca).build();

        assertThat(ca.certificate().getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
        assertThat(ca.certificate().getKeyUsage()).startsWith(true, false, false, false, false, true, true);
        assertThat(leaf.certificate().getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(leaf.certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(leaf.chain()).containsExactly(leaf.certificate(), ca.certificate());
        // The leaf's authority key identifier is the CA's subject key identifier.
        assertThat(Der.parse(Der.parse(leaf.certificate().getExtensionValue("2.5.29.35")).contents()).children().get(0).contents())
                .isEqualTo(Der.parse(Der.parse(ca.certificate().getExtensionValue("2.5.29.14")).contents()).contents());

        validate(List.of(leaf.certificate()), ca.certificate(), null);
    }

    @Test
    void intermediateAuthoritiesChain() throws Exception {
        GeneratedCertificate root = GeneratedCertificate.builder().commonName("root").certificateAuthority(true).build();
        GeneratedCertificate mid = GeneratedCertificate.builder().commonName("intermediate").keyAlgorithm("Ed25519")
                .certificateAuthority(true).issuer(root).build();
        GeneratedCertificate leaf = GeneratedCertificate.builder().names("svc.test").issuer(mid).build();
        assertThat(leaf.chain()).containsExactly(leaf.certificate(), mid.certificate(), root.certificate());
        assertThat(leaf.certificate().getSigAlgName()).isEqualTo("Ed25519");
        validate(List.of(leaf.certificate(), mid.certificate()), root.certificate(), null);
    }

    @Test
    void expiredAndNotYetValidCertificatesAreRejected() throws Exception {
        GeneratedCertificate ca = GeneratedCertificate.builder().commonName("ca").certificateAuthority(true).build();
        Instant now = Instant.now();
        GeneratedCertificate expired = GeneratedCertificate.builder().names("old.test").issuer(ca)
                .validFrom(now.minus(Duration.ofDays(30))).validUntil(now.minus(Duration.ofDays(1))).build();
        GeneratedCertificate future = GeneratedCertificate.builder().names("new.test").issuer(ca)
                .validFrom(now.plus(Duration.ofDays(1))).validUntil(now.plus(Duration.ofDays(30))).build();

        assertThatThrownBy(() -> validate(List.of(expired.certificate()), ca.certificate(), null))
                .isInstanceOf(CertPathValidatorException.class)
                .hasRootCauseInstanceOf(CertificateExpiredException.class);
        assertThatThrownBy(() -> validate(List.of(future.certificate()), ca.certificate(), null))
                .isInstanceOf(CertPathValidatorException.class)
                .hasRootCauseInstanceOf(CertificateNotYetValidException.class);
        validate(List.of(expired.certificate()), ca.certificate(), Date.from(now.minus(Duration.ofDays(2))));
    }

    @Test
    void datesFrom2050OnAreEncodedAsGeneralizedTime() throws Exception {
        Instant from = Instant.parse("2049-12-31T23:59:59Z");
        Instant until = Instant.parse("2101-06-01T12:00:00Z");
        X509Certificate cert = GeneratedCertificate.builder().names("x.test").validFrom(from).validUntil(until).build().certificate();
        assertThat(cert.getNotBefore().toInstant()).isEqualTo(from);
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(until);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> GeneratedCertificate.selfSigned("bad name"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("\"bad name\" is neither a DNS name nor an IP address");
        assertThatThrownBy(() -> GeneratedCertificate.selfSigned("300.1.1.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> GeneratedCertificate.selfSigned("1.2.3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither a DNS name nor an IP address");
        assertThatThrownBy(() -> GeneratedCertificate.selfSigned("fe80::1%eth0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an IPv6 address");
        assertThatThrownBy(() -> GeneratedCertificate.builder().keyAlgorithm("DSA"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unsupported key algorithm \"DSA\"; want EC, RSA or Ed25519");
        GeneratedCertificate leaf = GeneratedCertificate.selfSigned("leaf.test");
        assertThatThrownBy(() -> GeneratedCertificate.builder().issuer(leaf))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a certificate authority");
        Instant now = Instant.now();
        assertThatThrownBy(() -> GeneratedCertificate.builder().validFrom(now).validUntil(now).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not after its start");
        assertThat(GeneratedCertificate.selfSigned("[::1]").certificate().getSubjectX500Principal().getName())
                .isEqualTo("CN=[::1]");
    }

    @Test
    void writePemWritesTheChainAndAnOwnerOnlyKey() throws Exception {
        GeneratedCertificate ca = GeneratedCertificate.builder().commonName("ca").certificateAuthority(true).build();
        GeneratedCertificate leaf = GeneratedCertificate.builder().names("localhost").issuer(ca).build();
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        leaf.writePem(cert, key);
        assertThat(Pem.readCertificates(cert)).isEqualTo(leaf.chain());
        assertThat(Pem.readPrivateKey(key).getEncoded()).isEqualTo(leaf.privateKey().getEncoded());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    }

    @ParameterizedTest
    @ValueSource(strings = {"EC", "RSA", "Ed25519"})
    void opensslAcceptsTheCertificates(String algorithm) throws Exception {
        GeneratedCertificate ca = GeneratedCertificate.builder().commonName("Weft Test CA").keyAlgorithm(algorithm)
                .certificateAuthority(true).build();
        GeneratedCertificate leaf = GeneratedCertificate.builder().names("localhost", "127.0.0.1").keyAlgorithm(algorithm)
                .issuer(ca).build();
        GeneratedCertificate self = GeneratedCertificate.builder().names("self.test").keyAlgorithm(algorithm).build();
        Pem.writeCertificates(dir.resolve("ca.pem"), List.of(ca.certificate()));
        Pem.writeCertificates(dir.resolve("leaf.pem"), List.of(leaf.certificate()));
        Pem.writeCertificates(dir.resolve("self.pem"), List.of(self.certificate()));
        Pem.writePrivateKey(dir.resolve("leaf.key"), leaf.privateKey());

        String text = OpenSsl.ok(dir, "x509", "-in", "leaf.pem", "-noout", "-text");
        assertThat(text).contains("Version: 3 (0x2)", "Subject: CN = localhost", "Issuer: CN = Weft Test CA",
                "DNS:localhost, IP Address:127.0.0.1", "CA:FALSE", "Digital Signature",
                "TLS Web Server Authentication, TLS Web Client Authentication",
                "X509v3 Subject Key Identifier", "X509v3 Authority Key Identifier");
        assertThat(OpenSsl.ok(dir, "x509", "-in", "ca.pem", "-noout", "-text")).contains("CA:TRUE", "Certificate Sign, CRL Sign");
        assertThat(OpenSsl.ok(dir, "verify", "-CAfile", "ca.pem", "-verify_hostname", "localhost", "leaf.pem"))
                .contains("leaf.pem: OK");
        assertThat(OpenSsl.ok(dir, "verify", "-CAfile", "ca.pem", "-verify_ip", "127.0.0.1", "leaf.pem"))
                .contains("leaf.pem: OK");
        assertThat(OpenSsl.run(dir, "verify", "-CAfile", "ca.pem", "-verify_hostname", "other.test", "leaf.pem").exitCode())
                .isNotZero();
        assertThat(OpenSsl.ok(dir, "verify", "-CAfile", "self.pem", "self.pem")).contains("self.pem: OK");
        // The key file is one openssl reads, and it is the certificate's key.
        String keyPub = OpenSsl.ok(dir, "pkey", "-in", "leaf.key", "-pubout");
        String certPub = OpenSsl.ok(dir, "x509", "-in", "leaf.pem", "-noout", "-pubkey");
        assertThat(keyPub).isEqualTo(certPub);
    }

    private static void validate(List<X509Certificate> path, X509Certificate anchor, Date at) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        params.setRevocationEnabled(false);
        if (at != null) {
            params.setDate(at);
        }
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    }
}

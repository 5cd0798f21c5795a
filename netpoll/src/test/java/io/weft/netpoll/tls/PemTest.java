package io.weft.netpoll.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PemTest {
    private static final String CONVERT = "; convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key8.pem";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"EC", "RSA", "Ed25519"})
    void keysAndCertificatesRoundTrip(String algorithm) throws Exception {
        GeneratedCertificate ca = GeneratedCertificate.builder().commonName("ca").certificateAuthority(true).build();
        GeneratedCertificate leaf = GeneratedCertificate.builder().names("h.test").keyAlgorithm(algorithm).issuer(ca).build();
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Pem.writeCertificates(cert, leaf.chain());
        Pem.writePrivateKey(key, leaf.privateKey());

        assertThat(Pem.readCertificates(cert)).containsExactlyElementsOf(leaf.chain());
        PrivateKey read = Pem.readPrivateKey(key);
        assertThat(read.getEncoded()).isEqualTo(leaf.privateKey().getEncoded());
        assertThat(KeyMaterial.matches(read, leaf.certificate().getPublicKey())).isTrue();
        TlsConfig config = TlsConfig.builder().certificate(cert, key).build();
        assertThat(config.sslContext()).isNotNull();
    }

    @Test
    void encodingIsPemWith64CharacterLines() {
        GeneratedCertificate generated = GeneratedCertificate.builder().names("h.test").keyAlgorithm("RSA").build();
        for (String pem : List.of(Pem.encode(generated.certificate()), Pem.encode(generated.privateKey()))) {
            List<String> lines = pem.lines().toList();
            assertThat(lines.get(0)).isIn("-----BEGIN CERTIFICATE-----", "-----BEGIN PRIVATE KEY-----");
            assertThat(lines.get(lines.size() - 1)).isIn("-----END CERTIFICATE-----", "-----END PRIVATE KEY-----");
            assertThat(lines.subList(1, lines.size() - 2)).allSatisfy(line -> assertThat(line).hasSize(64));
            assertThat(lines.get(lines.size() - 2).length()).isBetween(1, 64);
            assertThat(pem).endsWith("-----\n").doesNotContain("\r");
        }
    }

    @Test
    void textAroundBlocksAndOtherBlocksAreIgnored() throws Exception {
        GeneratedCertificate a = GeneratedCertificate.selfSigned("a.test");
        GeneratedCertificate b = GeneratedCertificate.selfSigned("b.test");
        Path bundle = write("bundle.pem", "# CA bundle\r\nsubject=CN = a.test\r\n" + Pem.encode(a.certificate()).replace("\n", "\r\n")
                + "\n" + Pem.encode(a.privateKey()) + "trailing words\n" + Pem.encode(b.certificate()) + "bye");
        assertThat(Pem.readCertificates(bundle)).containsExactly(a.certificate(), b.certificate());
        assertThat(Pem.readPrivateKey(bundle).getEncoded()).isEqualTo(a.privateKey().getEncoded());
    }

    @Test
    void olderKeyFormatsSayHowToConvert() throws Exception {
        String body = "\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n";
        Path rsa = write("key.pem", "-----BEGIN RSA PRIVATE KEY-----" + body + "-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Pem.readPrivateKey(rsa)).isInstanceOf(TlsConfigException.class)
                .hasMessage("tls: " + rsa + ": not a PKCS#8 private key (BEGIN RSA PRIVATE KEY)" + CONVERT);
        Path ec = write("key.pem", "-----BEGIN EC PRIVATE KEY-----" + body + "-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Pem.readPrivateKey(ec)).isInstanceOf(TlsConfigException.class)
                .hasMessage("tls: " + ec + ": not a PKCS#8 private key (BEGIN EC PRIVATE KEY)" + CONVERT);
        Path encrypted = write("key.pem", "-----BEGIN ENCRYPTED PRIVATE KEY-----" + body + "-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Pem.readPrivateKey(encrypted)).isInstanceOf(TlsConfigException.class)
                .hasMessage("tls: " + encrypted + ": not an unencrypted PKCS#8 private key (BEGIN ENCRYPTED PRIVATE KEY)" + CONVERT);
        Path ssh = write("id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----" + body + "-----END OPENSSH PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Pem.readPrivateKey(ssh)).isInstanceOf(TlsConfigException.class)
                .hasMessage("tls: " + ssh + ": not a PKCS#8 private key (BEGIN OPENSSH PRIVATE KEY);"
                        + " use an RSA, EC or Ed25519 key in PKCS#8 PEM");
    }

    @Test
    void opensslKeysAreReadAndItsConversionCommandWorks() throws Exception {
        OpenSsl.ok(dir, "genpkey", "-algorithm", "ed25519", "-out", "ed.pem");
        assertThat(Pem.readPrivateKey(dir.resolve("ed.pem")).getAlgorithm()).isIn("Ed25519", "EdDSA");
        OpenSsl.ok(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "ec.pem");
        assertThat(Pem.readPrivateKey(dir.resolve("ec.pem")).getAlgorithm()).isEqualTo("EC");
        OpenSsl.ok(dir, "genrsa", "-traditional", "-out", "key.pem", "2048");
        Path key = dir.resolve("key.pem");
        assertThatThrownBy(() -> Pem.readPrivateKey(key)).hasMessageEndingWith(CONVERT);
        OpenSsl.ok(dir, CONVERT.substring(CONVERT.indexOf("openssl ") + 8).split(" "));
        assertThat(Pem.readPrivateKey(dir.resolve("key8.pem")).getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void unreadableAndMalformedFilesAreNamed() throws Exception {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> Pem.readCertificates(missing)).isInstanceOf(TlsConfigException.class)
                .hasMessage("tls: cannot read " + missing + ": No such file");
        assertThatThrownBy(() -> Pem.readPrivateKey(dir)).isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith("tls: cannot read " + dir + ": ");

        Path empty = write("ca.pem", "just some text\n");
        assertThatThrownBy(() -> Pem.readCertificates(empty)).isInstanceOf(TlsConfigException.class)
                .hasMessage("tls: " + empty + ": no CERTIFICATE block found");
        assertThatThrownBy(() -> Pem.readPrivateKey(empty)).isInstanceOf(TlsConfigException.class)
                .hasMessage("tls: " + empty + ": no PRIVATE KEY block found");

        GeneratedCertificate generated = GeneratedCertificate.selfSigned("x.test");
        Path keyOnly = write("key.pem", Pem.encode(generated.privateKey()));
        assertThatThrownBy(() -> Pem.readCertificates(keyOnly))
                .hasMessage("tls: " + keyOnly + ": no CERTIFICATE block found (it holds a private key: is it the key file?)");
        Path certOnly = write("cert.pem", Pem.encode(generated.certificate()));
        assertThatThrownBy(() -> Pem.readPrivateKey(certOnly))
                .hasMessage("tls: " + certOnly + ": no PRIVATE KEY block found (it holds a certificate: is it the certificate file?)");

        Path badBase64 = write("bad.pem", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> Pem.readCertificates(badBase64))
                .hasMessageStartingWith("tls: " + badBase64 + ": CERTIFICATE block 1 is not valid base64");
        Path notCert = write("junk.pem", Pem.encode(generated.certificate())
                + "-----BEGIN CERTIFICATE-----\nAAECAw==\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> Pem.readCertificates(notCert))
                .hasMessageStartingWith("tls: " + notCert + ": CERTIFICATE block 2 is not an X.509 certificate");
        Path notKey = write("junk.key", "-----BEGIN PRIVATE KEY-----\nAAECAw==\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Pem.readPrivateKey(notKey))
                .hasMessage("tls: " + notKey + ": the PRIVATE KEY block is not a PKCS#8 key");
        Path twoKeys = write("two.pem", Pem.encode(generated.privateKey()) + Pem.encode(generated.privateKey()));
        assertThatThrownBy(() -> Pem.readPrivateKey(twoKeys)).hasMessage("tls: " + twoKeys + ": holds 2 private keys; keep only one");

        Path der = dir.resolve("cert.der");
        Files.write(der, generated.certificate().getEncoded());
        assertThatThrownBy(() -> Pem.readCertificates(der)).hasMessage("tls: " + der
                + ": binary DER, not PEM; convert it with: openssl x509 -inform der -in cert.der -out cert.der.pem");
    }

    @Test
    void unsupportedKeyAlgorithmsAreNamed() throws Exception {
        PrivateKey ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPrivate();
        Path key = write("ed448.pem", Pem.encode(ed448));
        assertThatThrownBy(() -> Pem.readPrivateKey(key))
                .hasMessage("tls: " + key + ": unsupported private key algorithm (OID 1.3.101.113); use an RSA, EC or Ed25519 key");
    }

    @Test
    void privateKeysAreOwnerOnlyEvenWhenReplacingAWiderFile() throws Exception {
        PrivateKey key = GeneratedCertificate.selfSigned("x.test").privateKey();
        Path fresh = dir.resolve("fresh.key");
        Pem.writePrivateKey(fresh, key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rw-------");

        Path existing = dir.resolve("existing.key");
        Files.writeString(existing, "old");
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-r--r--"));
        Pem.writePrivateKey(existing, key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(existing))).isEqualTo("rw-------");
        assertThat(Pem.readPrivateKey(existing).getEncoded()).isEqualTo(key.getEncoded());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("fresh.key", "existing.key");
        }

        Path noDir = dir.resolve("missing/dir/key.pem");
        assertThatThrownBy(() -> Pem.writePrivateKey(noDir, key)).hasMessageStartingWith("tls: cannot write " + noDir + ": ");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedNamingBothFiles() throws Exception {
        GeneratedCertificate a = GeneratedCertificate.selfSigned("a.test");
        GeneratedCertificate b = GeneratedCertificate.selfSigned("b.test");
        GeneratedCertificate rsa = GeneratedCertificate.builder().names("r.test").keyAlgorithm("RSA").build();
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Path rsaKey = dir.resolve("rsa.pem");
        a.writePem(cert, dir.resolve("a.key"));
        Pem.writePrivateKey(key, b.privateKey());
        Pem.writePrivateKey(rsaKey, rsa.privateKey());
        assertThatThrownBy(() -> TlsConfig.builder().certificate(cert, key)).isInstanceOf(TlsConfigException.class)
                .hasMessage("tls: " + key + " does not match the certificate in " + cert);
        assertThatThrownBy(() -> TlsConfig.builder().certificate(cert, rsaKey)).isInstanceOf(TlsConfigException.class)
                .hasMessage("tls: " + rsaKey + " does not match the certificate in " + cert);
        List<X509Certificate> chain = a.chain();
        assertThatThrownBy(() -> TlsConfig.builder().certificate(chain, b.privateKey()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the EC private key does not match the certificate for CN=a.test");
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }
}

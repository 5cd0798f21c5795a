package io.weft.netpoll.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CertificatePinTest {
    private static final String HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final String HINT = "; want sha256:<64 hex digits>, e.g. from: openssl x509 -in cert.pem -noout -fingerprint -sha256";

    @TempDir
    Path dir;

    @Test
    void everyAcceptedFormParsesToTheSamePin() {
        CertificatePin pin = CertificatePin.parse("sha256:" + HEX);
        assertThat(pin.toString()).isEqualTo("sha256:" + HEX);
        String colons = String.join(":", HEX.toUpperCase(Locale.ROOT).split("(?<=\\G..)"));
        assertThat(List.of(
                CertificatePin.parse("sha256:" + HEX.toUpperCase(Locale.ROOT)),
                CertificatePin.parse("SHA256:" + HEX),
                CertificatePin.parse("sha256:" + colons),
                CertificatePin.parse("sha256:" + colons.toLowerCase(Locale.ROOT)),
                CertificatePin.parse("  sha256:" + HEX + "\n")))
                .allSatisfy(p -> {
                    assertThat(p).isEqualTo(pin).hasSameHashCodeAs(pin);
                    assertThat(p.toString()).isEqualTo("sha256:" + HEX);
                });
        assertThat(CertificatePin.parse(pin.toString())).isEqualTo(pin);
        assertThat(pin).isNotEqualTo(CertificatePin.parse("sha256:" + HEX.replace('9', '8'))).isNotEqualTo(HEX);
    }

    @Test
    void badFormsSayWhatIsWrong() {
        assertThatThrownBy(() -> CertificatePin.parse(HEX)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad certificate pin \"" + HEX + "\": it does not start with sha256:" + HINT);
        assertThatThrownBy(() -> CertificatePin.parse("sha1:" + HEX)).hasMessageContaining("does not start with sha256:");
        assertThatThrownBy(() -> CertificatePin.parse("")).hasMessageContaining("does not start with sha256:");
        assertThatThrownBy(() -> CertificatePin.parse("sha256:" + HEX.substring(2)))
                .hasMessage("bad certificate pin \"sha256:" + HEX.substring(2) + "\": it has 62 hex digits, not 64" + HINT);
        assertThatThrownBy(() -> CertificatePin.parse("sha256:" + HEX + "00")).hasMessageContaining("it has 66 hex digits, not 64");
        assertThatThrownBy(() -> CertificatePin.parse("sha256:")).hasMessageContaining("it has 0 hex digits, not 64");
        assertThatThrownBy(() -> CertificatePin.parse("sha256:" + HEX.substring(1) + "g"))
                .hasMessageContaining("it holds a character that is not a hex digit");
        assertThatThrownBy(() -> CertificatePin.parse("sha256:" + HEX.substring(1) + "\u0663"))
                .hasMessageContaining("not a hex digit");
        assertThatThrownBy(() -> CertificatePin.parse("sha256:9f8:6d0" + HEX.substring(7)))
                .hasMessageContaining("colon-separated hex must be pairs of hex digits");
        assertThatThrownBy(() -> CertificatePin.parse("sha256:9f:86:")).hasMessageContaining("pairs of hex digits");
        assertThatThrownBy(() -> CertificatePin.parse(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void matchesOnlyThePinnedCertificate() throws Exception {
        GeneratedCertificate a = GeneratedCertificate.selfSigned("a.test");
        X509Certificate b = GeneratedCertificate.selfSigned("a.test").certificate();
        CertificatePin pin = a.pin();
        assertThat(pin.matches(a.certificate())).isTrue();
        assertThat(pin.matches(b)).isFalse();
        assertThat(pin.toString()).matches("sha256:[0-9a-f]{64}");
        assertThat(HexFormat.of().parseHex(pin.toString().substring(7)))
                .isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(a.certificate().getEncoded()));
    }

    @Test
    void opensslFingerprintsParseToTheSamePin() throws Exception {
        GeneratedCertificate generated = GeneratedCertificate.selfSigned("a.test");
        Pem.writeCertificates(dir.resolve("cert.pem"), generated.chain());
        String out = OpenSsl.ok(dir, "x509", "-in", "cert.pem", "-noout", "-fingerprint", "-sha256").strip();
        assertThat(out).matches("(?i)sha256 Fingerprint=([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(CertificatePin.parse("sha256:" + out.substring(out.indexOf('=') + 1))).isEqualTo(generated.pin());
    }
}

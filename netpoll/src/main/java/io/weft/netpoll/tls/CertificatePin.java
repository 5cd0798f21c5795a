package io.weft.netpoll.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The SHA-256 fingerprint of one certificate's DER encoding, written {@code sha256:<64 lowercase
 * hex digits>}: what {@link TlsConfig.Builder#pin} trusts instead of certificate authorities, as
 * ssh trusts a known host key. The fingerprint covers the whole certificate, so a pin names one
 * exact certificate (key, names and dates); a renewed certificate has a new pin.
 *
 * <p>An immutable value; equal when the fingerprints are; any thread.
 */
public final class CertificatePin {
    private static final String PREFIX = "sha256:";
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] sha256;

    private CertificatePin(byte[] sha256) {
        this.sha256 = sha256;
    }

    /** The pin of {@code cert}: SHA-256 over its DER encoding. */
    public static CertificatePin of(X509Certificate cert) {
        return new CertificatePin(digest(cert));
    }

    /**
     * Parses {@code sha256:} followed by the 64 hex digits of a SHA-256 fingerprint, in upper or
     * lower case, optionally as colon-separated pairs (openssl's {@code -fingerprint} form, e.g.
     * {@code sha256:AB:CD:...}). The prefix may be upper case; surrounding white space is ignored.
     *
     * @throws IllegalArgumentException when {@code text} is not such a pin; the message says why
     */
    public static CertificatePin parse(String text) {
        String s = text.strip();
        if (!s.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw bad(text, "it does not start with sha256:");
        }
        String hex = s.substring(PREFIX.length());
        if (hex.indexOf(':') >= 0) {
            if (!hex.matches("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*")) {
                throw bad(text, "colon-separated hex must be pairs of hex digits");
            }
            hex = hex.replace(":", "");
        }
        if (!hex.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 128)) {
            throw bad(text, "it holds a character that is not a hex digit");
        }
        if (hex.length() != 64) {
            throw bad(text, "it has " + hex.length() + " hex digits, not 64");
        }
        return new CertificatePin(HEX.parseHex(hex.toLowerCase(Locale.ROOT)));
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("bad certificate pin \"" + text + "\": " + why
                + "; want sha256:<64 hex digits>, e.g. from: openssl x509 -in cert.pem -noout -fingerprint -sha256");
    }

    /** Whether {@code cert} is the pinned certificate; compares in constant time. */
    public boolean matches(X509Certificate cert) {
        return MessageDigest.isEqual(sha256, digest(cert));
    }

    /** {@code sha256:} and the fingerprint in 64 lowercase hex digits; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return PREFIX + HEX.formatHex(sha256);
    }

    /** Equal when the fingerprints are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof CertificatePin other && Arrays.equals(sha256, other.sha256);
    }

    /** A hash of the fingerprint. */
    @Override
    public int hashCode() {
        return Arrays.hashCode(sha256);
    }

    private static byte[] digest(X509Certificate cert) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the certificate cannot be encoded: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}

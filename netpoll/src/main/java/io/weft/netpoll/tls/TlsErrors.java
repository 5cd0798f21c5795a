package io.weft.netpoll.tls;

import io.weft.netpoll.tls.TlsHandshakeException.Reason;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Turns the JDK's TLS exceptions into a {@link TlsHandshakeException} with a {@link Reason} and
 * a message in Go's words ("certificate signed by unknown authority"). The JDK's messages are the
 * only signal SSLEngine gives, so this reads them; anything not recognised keeps the JDK's
 * message with reason {@link Reason#OTHER}. Stateless.
 */
final class TlsErrors {
    private TlsErrors() {}

    /**
     * The handshake failure for {@code failure}.
     *
     * @param peer who the handshake was with, e.g. {@code "127.0.0.1:7000"} or {@code "client 10.0.0.2:5123"}
     * @param serverName on a client, the name the server's certificate must carry; else null
     * @param sentNoCertificate this side is a client that presented no certificate
     */
    static TlsHandshakeException handshakeFailure(String peer, String serverName, boolean sentNoCertificate,
            SSLException failure) {
        String prefix = "tls handshake with " + peer + ": ";
        String all = messages(failure);
        String lower = all.toLowerCase(Locale.ROOT);
        String alert = alertName(lower);
        Reason reason;
        String text;
        if (lower.contains("pin mismatch")) {
            reason = Reason.PIN_MISMATCH;
            text = firstMessageContaining(failure, "pin mismatch");
        } else if (has(failure, CertificateExpiredException.class) || has(failure, CertificateNotYetValidException.class)
                || isExpiredValidation(failure)) {
            reason = Reason.CERTIFICATE_EXPIRED;
            text = "certificate has expired or is not yet valid";
        } else if (lower.contains("no subject alternative") || lower.contains("no name matching")
                || lower.contains("illegal given domain name")) {
            reason = Reason.HOSTNAME_MISMATCH;
            text = "certificate is not valid for " + (serverName == null ? "the server name" : serverName) + " ("
                    + firstMessageContaining(failure, "matching").replaceFirst("^\\([a-z_]+\\) ", "") + ")";
        } else if (lower.contains("pkix path") || lower.contains("unable to find valid certification path")
                || lower.contains("no trusted certificate found")) {
            reason = Reason.UNKNOWN_AUTHORITY;
            text = "certificate signed by unknown authority";
        } else if (lower.contains("empty client certificate chain") || "certificate_required".equals(alert)
                || (sentNoCertificate && "bad_certificate".equals(alert))) {
            reason = Reason.CLIENT_CERTIFICATE_REQUIRED;
            text = "the server requires a client certificate and none was sent" + (alert == null ? "" : " (alert " + alert + ")");
        } else if (lower.contains("unrecognized ssl message") || lower.contains("unsupported or unrecognized ssl message")
                || lower.contains("plaintext connection")) {
            reason = Reason.NOT_TLS;
            text = "the peer does not speak TLS (plain TCP, HTTP or another protocol arrived)";
        } else if (lower.contains("no appropriate protocol") || "protocol_version".equals(alert)
                || lower.contains("protocol versions") || lower.contains("unsupported protocol")) {
            reason = Reason.PROTOCOL_VERSION;
            text = "no protocol version in common (" + failure.getMessage() + ")";
        } else if (lower.contains("no cipher suites in common") || "insufficient_security".equals(alert)) {
            reason = Reason.NO_SHARED_CIPHER;
            text = "no cipher suite in common";
        } else if (alert != null) {
            reason = Reason.PEER_ALERT;
            text = "the peer refused the handshake with alert " + alert + peerAlertHint(alert);
        } else if (lower.contains("remote host terminated") || lower.contains("closed by peer")
                || lower.contains("inbound closed")) {
            reason = Reason.PEER_CLOSED;
            text = "the peer closed the connection during the handshake";
        } else {
            reason = Reason.OTHER;
            text = String.valueOf(failure.getMessage()).replaceFirst("^\\([a-z_]+\\) ", "");
        }
        return new TlsHandshakeException(prefix + text, reason, failure);
    }

    /** The failure when the connection ends in the middle of a handshake. */
    static TlsHandshakeException peerClosed(String peer) {
        return new TlsHandshakeException("tls handshake with " + peer
                + ": the peer closed the connection during the handshake", Reason.PEER_CLOSED, null);
    }

    private static String peerAlertHint(String alert) {
        return switch (alert) {
            case "bad_certificate", "unknown_ca", "certificate_unknown" ->
                    " (it does not accept this side's certificate)";
            case "handshake_failure" -> " (no acceptable parameters, or a certificate it wanted was missing)";
            default -> "";
        };
    }

    /**
     * The alert the peer sent, lower case, or null: the JDK says "Received fatal alert: X", or,
     * for an alert that arrives unencrypted mid-handshake, "... Level: fatal; Alert: X".
     */
    private static String alertName(String lowerMessages) {
        java.util.regex.Matcher m = ALERT.matcher(lowerMessages);
        return m.find() ? m.group(1) : null;
    }

    private static final java.util.regex.Pattern ALERT = java.util.regex.Pattern.compile("alert: ([a-z_]+)");

    private static boolean isExpiredValidation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertPathValidatorException e
                    && (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                            || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                return true;
            }
        }
        return false;
    }

    private static boolean has(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String messages(Throwable failure) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    private static String firstMessageContaining(Throwable failure, String fragment) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.toLowerCase(Locale.ROOT).contains(fragment)) {
                return m;
            }
        }
        return failure.getMessage();
    }
}

package io.weft.netpoll.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one peer certificate, named by its {@link CertificatePin}, in either direction (a
 * client checking a server, a server checking a client). The pin is the peer's identity, as a
 * known host key is for ssh: no certificate authority, host name, validity date or key usage is
 * checked, so an expired pinned certificate is still accepted; the rest of the chain the peer
 * sends is ignored. The TLS handshake itself still proves the peer holds the pinned certificate's
 * private key.
 *
 * <p>A refusal is a {@link CertificateException} whose message starts {@code "certificate pin
 * mismatch: the peer's certificate is sha256:..., expected sha256:..."}; {@link TlsConn} reports it
 * as {@link TlsHandshakeException.Reason#PIN_MISMATCH}. Immutable; any thread.
 */
final class PinnedTrustManager extends X509ExtendedTrustManager {
    private static final X509Certificate[] NONE = new X509Certificate[0];

    private final CertificatePin pin;

    PinnedTrustManager(CertificatePin pin) {
        this.pin = Objects.requireNonNull(pin, "pin");
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("certificate pin mismatch: the peer sent no certificate, expected " + pin);
        }
        if (!pin.matches(chain[0])) {
            throw new CertificateException("certificate pin mismatch: the peer's certificate is "
                    + CertificatePin.of(chain[0]) + ", expected " + pin
                    + " (subject " + chain[0].getSubjectX500Principal().getName() + ")");
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    /** None: a pin names no authority, so a server asking for a client certificate names none. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE;
    }
}

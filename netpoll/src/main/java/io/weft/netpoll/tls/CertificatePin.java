package io.weft.netpoll.tls;

import java.security.cert.X509Certificate;

/** TEMPORARY compile stub (cli-tls branch); reverted before merging certs. */
public final class CertificatePin {
    private CertificatePin() {}
    /** Stub. */
    public static CertificatePin parse(String text) { throw new UnsupportedOperationException("stub"); }
    /** Stub. */
    public static CertificatePin of(X509Certificate certificate) { throw new UnsupportedOperationException("stub"); }
}

package io.weft.netpoll.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** TEMPORARY compile stub (cli-tls branch); reverted before merging certs. */
public final class GeneratedCertificate {
    private GeneratedCertificate() {}
    /** Stub. */
    public static GeneratedCertificate selfSigned(String... names) { throw new UnsupportedOperationException("stub"); }
    /** Stub. */
    public X509Certificate certificate() { throw new UnsupportedOperationException("stub"); }
    /** Stub. */
    public PrivateKey privateKey() { throw new UnsupportedOperationException("stub"); }
    /** Stub. */
    public List<X509Certificate> chain() { throw new UnsupportedOperationException("stub"); }
    /** Stub. */
    public CertificatePin pin() { throw new UnsupportedOperationException("stub"); }
    /** Stub. */
    public void writePem(Path certFile, Path keyFile) throws IOException { throw new UnsupportedOperationException("stub"); }
}

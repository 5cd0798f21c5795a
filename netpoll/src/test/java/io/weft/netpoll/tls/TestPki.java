package io.weft.netpoll.tls;

import java.nio.file.Path;

/**
 * A small public-key infrastructure for interop tests, generated fresh and written as PEM into a
 * directory (a test class's {@code @TempDir}) for peers that read files (Go, openssl, the weft
 * command): a test CA; a server certificate for {@code localhost} and {@code 127.0.0.1} and a
 * client certificate named {@link #CLIENT_NAME}, both issued by that CA; an unrelated CA for the
 * wrong-authority cases. Immutable; any thread.
 */
public final class TestPki {

    /** The client certificate's name (its only subject alternative name and its common name). */
    public static final String CLIENT_NAME = "weft-test-client";

    public final GeneratedCertificate ca;
    public final GeneratedCertificate server;
    public final GeneratedCertificate client;
    public final GeneratedCertificate otherCa;
    public final Path caPem;
    public final Path serverPem;
    public final Path serverKey;
    public final Path clientPem;
    public final Path clientKey;
    public final Path otherCaPem;

    private TestPki(Path dir) throws Exception {
        ca = GeneratedCertificate.builder().names("weft-test-ca").certificateAuthority(true).build();
        server = GeneratedCertificate.builder().names("localhost", "127.0.0.1").issuer(ca).build();
        client = GeneratedCertificate.builder().names(CLIENT_NAME).issuer(ca).build();
        otherCa = GeneratedCertificate.builder().names("weft-test-other-ca").certificateAuthority(true).build();
        caPem = dir.resolve("ca.pem");
        serverPem = dir.resolve("server.pem");
        serverKey = dir.resolve("server.key");
        clientPem = dir.resolve("client.pem");
        clientKey = dir.resolve("client.key");
        otherCaPem = dir.resolve("other-ca.pem");
        ca.writePem(caPem, dir.resolve("ca.key"));
        server.writePem(serverPem, serverKey);
        client.writePem(clientPem, clientKey);
        otherCa.writePem(otherCaPem, dir.resolve("other-ca.key"));
    }

    /** Generates the certificates and writes their PEM files into {@code dir}. */
    public static TestPki create(Path dir) throws Exception {
        return new TestPki(dir);
    }
}

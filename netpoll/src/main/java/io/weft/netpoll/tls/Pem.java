package io.weft.netpoll.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes PEM files: X.509 certificates ({@code BEGIN CERTIFICATE}) and unencrypted
 * PKCS#8 private keys ({@code BEGIN PRIVATE KEY}) holding an RSA, EC or Ed25519 key, the formats
 * Go's {@code crypto/tls} and {@code openssl req -nodes} use. Text outside the blocks is ignored.
 * Older key formats get an error that gives the openssl command converting them.
 *
 * <p>Stateless; any thread. Errors are {@link TlsConfigException}s whose message names the file.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final Pattern HEADER = Pattern.compile("(?m)^[A-Za-z-]+:.*$");
    private static final Map<String, String> KEY_ALGORITHMS = Map.of(
            "1.2.840.113549.1.1.1", "RSA",
            "1.2.840.10045.2.1", "EC",
            "1.3.101.112", "Ed25519");
    private static final Set<String> CONVERTIBLE = Set.of("RSA PRIVATE KEY", "EC PRIVATE KEY");

    private Pem() {}

    /**
     * Reads every {@code CERTIFICATE} block of {@code file}, in file order (a chain: leaf first).
     *
     * @throws TlsConfigException when the file cannot be read, holds no certificate or a block is
     *     not an X.509 certificate
     */
    public static List<X509Certificate> readCertificates(Path file) throws TlsConfigException {
        List<Block> blocks = blocks(file, "x509");
        List<X509Certificate> certs = new ArrayList<>();
        CertificateFactory factory = certificateFactory();
        for (Block b : blocks) {
            if (!b.type.equals("CERTIFICATE")) {
                continue;
            }
            byte[] der = b.decode(file, certs.size() + 1);
            try {
                certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException e) {
                throw new TlsConfigException("tls: " + file + ": CERTIFICATE block " + (certs.size() + 1)
                        + " is not an X.509 certificate: " + e.getMessage(), e);
            }
        }
        if (certs.isEmpty()) {
            boolean key = blocks.stream().anyMatch(b -> b.type.endsWith("PRIVATE KEY"));
            throw new TlsConfigException("tls: " + file + ": no CERTIFICATE block found"
                    + (key ? " (it holds a private key: is it the key file?)" : ""));
        }
        return List.copyOf(certs);
    }

    /**
     * Reads the one unencrypted PKCS#8 {@code PRIVATE KEY} block of {@code file}: an RSA, EC or
     * Ed25519 key, told apart by the algorithm identifier inside it.
     *
     * @throws TlsConfigException when the file cannot be read, holds no key or more than one, or
     *     holds a key in a format other than unencrypted PKCS#8 (the message gives the openssl
     *     command that converts it)
     */
    public static PrivateKey readPrivateKey(Path file) throws TlsConfigException {
        List<Block> blocks = blocks(file, "pkcs8 -nocrypt");
        List<Block> keys = blocks.stream().filter(b -> b.type.endsWith("PRIVATE KEY")).toList();
        if (keys.isEmpty()) {
            boolean cert = blocks.stream().anyMatch(b -> b.type.equals("CERTIFICATE"));
            throw new TlsConfigException("tls: " + file + ": no PRIVATE KEY block found"
                    + (cert ? " (it holds a certificate: is it the certificate file?)" : ""));
        }
        if (keys.size() > 1) {
            throw new TlsConfigException("tls: " + file + ": holds " + keys.size() + " private keys; keep only one");
        }
        Block block = keys.get(0);
        if (!block.type.equals("PRIVATE KEY")) {
            boolean encrypted = block.type.equals("ENCRYPTED PRIVATE KEY");
            boolean convertible = encrypted || CONVERTIBLE.contains(block.type);
            throw new TlsConfigException("tls: " + file + ": not " + (encrypted ? "an unencrypted" : "a")
                    + " PKCS#8 private key (BEGIN " + block.type + ")"
                    + (convertible ? "; convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName()
                            + " -out " + convertedName(file) : "; use an RSA, EC or Ed25519 key in PKCS#8 PEM"));
        }
        byte[] der = block.decode(file, 1);
        String oid;
        try {
            Der.Element algorithm = Der.parse(der).children().get(1).children().get(0);
            oid = Der.oidString(algorithm.contents());
        } catch (RuntimeException e) {
            throw new TlsConfigException("tls: " + file + ": the PRIVATE KEY block is not a PKCS#8 key", e);
        }
        String algorithm = KEY_ALGORITHMS.get(oid);
        if (algorithm == null) {
            throw new TlsConfigException("tls: " + file + ": unsupported private key algorithm (OID " + oid
                    + "); use an RSA, EC or Ed25519 key");
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException("tls: " + file + ": the " + algorithm + " private key is malformed: "
                    + e.getMessage(), e);
        }
    }

    /** {@code cert} as a PEM {@code CERTIFICATE} block: 64-character lines, ending in a newline. */
    public static String encode(X509Certificate cert) {
        try {
            return block("CERTIFICATE", cert.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    /**
     * {@code key} as an unencrypted PKCS#8 PEM {@code PRIVATE KEY} block: 64-character lines,
     * ending in a newline.
     *
     * @throws IllegalArgumentException when the key has no PKCS#8 encoding (a hardware key, say)
     */
    public static String encode(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat()) || key.getEncoded() == null) {
            throw new IllegalArgumentException("the " + key.getAlgorithm() + " private key has no PKCS#8 encoding"
                    + " (format " + key.getFormat() + ")");
        }
        return block("PRIVATE KEY", key.getEncoded());
    }

    /**
     * Writes {@code key} to {@code file} as PKCS#8 PEM, replacing the file atomically. On POSIX
     * file systems the file is created readable and writable by its owner only (0600), never
     * wider, whatever the umask or the permissions of a file it replaces.
     *
     * @throws IOException when the file cannot be written; the message names it
     */
    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        byte[] pem = encode(key).getBytes(StandardCharsets.US_ASCII);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.getFileStore(dir).supportsFileAttributeView("posix")
                    ? Files.createTempFile(dir, ".weft-key", ".tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, ".weft-key", ".tmp");
            Files.write(tmp, pem);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new IOException("tls: cannot write " + file + ": " + reason(e), e);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Writes {@code chain} to {@code file} as PEM {@code CERTIFICATE} blocks in list order,
     * creating or replacing the file with the default permissions.
     *
     * @throws IOException when the file cannot be written; the message names it
     */
    public static void writeCertificates(Path file, List<X509Certificate> chain) throws IOException {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no certificates to write to " + file);
        }
        StringBuilder sb = new StringBuilder();
        for (X509Certificate cert : chain) {
            sb.append(encode(cert));
        }
        try {
            Files.writeString(file, sb, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IOException("tls: cannot write " + file + ": " + reason(e), e);
        }
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private record Block(String type, String body) {
        byte[] decode(Path file, int index) throws TlsConfigException {
            String base64 = HEADER.matcher(body).replaceAll("").replaceAll("\\s", "");
            try {
                return Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new TlsConfigException("tls: " + file + ": " + type + " block " + index
                        + " is not valid base64: " + e.getMessage(), e);
            }
        }
    }

    private static List<Block> blocks(Path file, String derTool) throws TlsConfigException {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new TlsConfigException("tls: cannot read " + file + ": " + reason(e), e);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            blocks.add(new Block(m.group(1), m.group(2)));
        }
        if (blocks.isEmpty() && !text.isEmpty() && text.charAt(0) == 0x30) {
            throw new TlsConfigException("tls: " + file + ": binary DER, not PEM; convert it with: openssl "
                    + derTool + " -inform der -in " + file.getFileName() + " -out " + file.getFileName() + ".pem");
        }
        return blocks;
    }

    private static String convertedName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) + "8" + name.substring(dot) : name + "8.pem";
    }

    /** The JDK's reason without the file name it repeats, e.g. "No such file". */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage();
    }

    private static CertificateFactory certificateFactory() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
    }
}

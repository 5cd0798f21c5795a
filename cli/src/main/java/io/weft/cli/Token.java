package io.weft.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared secret of {@code --token-file}: the file's bytes with trailing line breaks removed.
 * Only ever used as an HMAC-SHA256 key, never printed: {@link #toString()} does not show it.
 * Immutable; any thread.
 */
final class Token {

    private static final System.Logger LOG = System.getLogger("io.weft.cli.token");

    private final byte[] secret;

    private Token(byte[] secret) {
        this.secret = secret;
    }

    /**
     * Reads a token file. An unreadable or empty file is a usage error (exit 2, one line); a file
     * other users may read is used, with one warning line.
     */
    static Token read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Failures.UsageException("token file " + file + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new Failures.UsageException("cannot read token file " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new Failures.UsageException("cannot read token file " + file + ": " + Failures.describe(e), e);
        }
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
            end--;
        }
        if (end == 0) {
            throw new Failures.UsageException("token file " + file + " is empty", null);
        }
        if (othersMayRead(file)) {
            LOG.log(System.Logger.Level.WARNING, "token file " + file + " is readable by other users; chmod 600 " + file);
        }
        return new Token(Arrays.copyOf(bytes, end));
    }

    /** A token from its bytes (tests, {@code weft tls init}). */
    static Token of(byte[] secret) {
        if (secret.length == 0) {
            throw new IllegalArgumentException("empty token");
        }
        return new Token(secret.clone());
    }

    static boolean othersMayRead(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // not a POSIX file system: nothing to check
        }
    }

    /** HMAC-SHA256 of {@code parts}, concatenated, keyed with the token. */
    byte[] mac(byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Whether {@code reply} is the MAC of {@code parts}; compared in constant time. */
    boolean verifies(byte[] reply, byte[]... parts) {
        return MessageDigest.isEqual(mac(parts), reply);
    }

    /** Never the secret. */
    @Override
    public String toString() {
        return "Token[" + secret.length + " bytes]";
    }
}

package io.weft.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The username/password pairs a SOCKS5 entry accepts ({@code --socks-users FILE}): one
 * {@code USER:PASSWORD} a line (the password is the rest of the line, ':' and spaces included), blank lines and lines starting
 * with '#' ignored, each at most 255 bytes (RFC 1929). Immutable; any thread. Credentials are
 * compared in constant time and never logged.
 */
final class SocksUsers {

    private static final System.Logger LOG = System.getLogger("io.weft.cli.socks");

    private final List<byte[][]> users;

    private SocksUsers(List<byte[][]> users) {
        this.users = users;
    }

    /** Users from pairs of name and password (tests). */
    static SocksUsers of(String... namesAndPasswords) {
        List<byte[][]> list = new ArrayList<>();
        for (int i = 0; i + 1 < namesAndPasswords.length; i += 2) {
            list.add(new byte[][] {namesAndPasswords[i].getBytes(StandardCharsets.UTF_8),
                namesAndPasswords[i + 1].getBytes(StandardCharsets.UTF_8)});
        }
        return new SocksUsers(list);
    }

    /**
     * Reads the file. A missing, unreadable, empty or malformed file is a usage error (exit 2) whose
     * line names the file and line number, never the line's text.
     */
    static SocksUsers read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new Failures.UsageException("--socks-users file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new Failures.UsageException("cannot read --socks-users file " + file + ": " + Failures.describe(e), e);
        }
        List<byte[][]> users = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            // The password is the rest of the line as written, spaces included: trimming it would
            // silently turn "pw " into "pw". Only the name loses surrounding spaces.
            int colon = line.indexOf(':');
            byte[] user = colon < 0 ? new byte[0] : line.substring(0, colon).strip().getBytes(StandardCharsets.UTF_8);
            byte[] password = colon < 0 ? new byte[0] : line.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
            if (user.length == 0 || password.length == 0 || user.length > 255 || password.length > 255) {
                throw new Failures.UsageException("--socks-users file " + file + " line " + (i + 1)
                        + ": expected USER:PASSWORD, each 1 to 255 bytes", null);
            }
            users.add(new byte[][] {user, password});
        }
        if (users.isEmpty()) {
            throw new Failures.UsageException("--socks-users file " + file + " has no USER:PASSWORD line", null);
        }
        if (Token.othersMayRead(file)) {
            LOG.log(System.Logger.Level.WARNING, "--socks-users file " + file + " is readable by other users; chmod 600 " + file);
        }
        return new SocksUsers(List.copyOf(users));
    }

    /** Whether {@code credentials} match a user; looks at every entry whatever matched (constant time). */
    boolean accepts(Socks5.Credentials credentials) {
        boolean accepted = false;
        for (byte[][] user : users) {
            boolean nameMatches = MessageDigest.isEqual(user[0], credentials.username());
            boolean passwordMatches = MessageDigest.isEqual(user[1], credentials.password());
            accepted |= nameMatches & passwordMatches;
        }
        return accepted;
    }
}

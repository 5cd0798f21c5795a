package io.weft.cli;

import io.weft.netpoll.tls.GeneratedCertificate;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code weft tls}: TLS set-up helpers. {@code weft tls init DIR} writes a self-signed
 * certificate, its key and a random token for {@code weft tunnel}, then prints the certificate's
 * pin and the commands that use them. Runs on the main thread.
 */
@Command(name = "tls", mixinStandardHelpOptions = true,
        description = "TLS set-up for weft tunnel, echo, ping and bench.",
        subcommands = TlsCommand.Init.class,
        footerHeading = "%nExamples:%n",
        footer = {
            "  weft tls init ~/.weft   cert.pem, key.pem, token; prints the pin and commands",
            "  weft tls init --name vpn.example.com --name 10.0.0.5 /etc/weft"
        })
final class TlsCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** {@code weft tls} alone: its usage on stderr, a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Failures.USAGE;
    }

    /** {@code weft tls init DIR}. */
    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {
                "Creates DIR (mode 700 if new) with a self-signed certificate (cert.pem, EC P-256, valid 10 years),"
                        + " its private key (key.pem, mode 600) and a random token (token, mode 600), then prints"
                        + " the certificate's pin and the weft tunnel commands that use them.",
                "Existing files are never overwritten without --force."
            },
            footerHeading = "%nExamples:%n",
            footer = {
                "  weft tls init ~/.weft",
                "  weft tls init --name vpn.example.com --name 10.0.0.5 --no-token /etc/weft"
            })
    static final class Init implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "DIR", description = "Where to write cert.pem, key.pem and token.")
        Path dir;

        @Option(names = "--name", paramLabel = "NAME",
                description = "A host name or IP address the certificate names (repeatable; default: localhost,"
                        + " 127.0.0.1, ::1 and this machine's host name).")
        List<String> names = new ArrayList<>();

        @Option(names = "--no-token", description = "Write no token file.")
        boolean noToken;

        @Option(names = "--force", description = "Overwrite existing files.")
        boolean force;

        @Override
        public Integer call() throws IOException {
            dir = dir.toAbsolutePath().normalize();
            Path cert = dir.resolve("cert.pem");
            Path key = dir.resolve("key.pem");
            Path token = dir.resolve("token");
            List<Path> targets = noToken ? List.of(cert, key) : List.of(cert, key, token);
            if (!force) {
                for (Path p : targets) {
                    if (Files.exists(p)) {
                        throw new Failures.UsageException(p + " already exists; use --force to overwrite it", null);
                    }
                }
            }
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new Failures.UsageException(dir + " exists and is not a directory", null);
            }
            if (!Files.exists(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectories(dir);
                }
            }
            Set<String> certNames = new LinkedHashSet<>(names);
            if (certNames.isEmpty()) {
                certNames.addAll(List.of("localhost", "127.0.0.1", "::1"));
                String host = localHostName();
                if (host != null) {
                    certNames.add(host);
                }
            }
            GeneratedCertificate generated = GeneratedCertificate.selfSigned(certNames.toArray(String[]::new));
            if (force) {
                for (Path p : targets) {
                    Files.deleteIfExists(p);
                }
            }
            generated.writePem(cert, key);
            if (!noToken) {
                byte[] secret = new byte[32];
                new SecureRandom().nextBytes(secret);
                writePrivate(token, HexFormat.of().formatHex(secret) + "\n");
            }
            printQuickStart(System.out, generated, certNames, cert, key, noToken ? null : token);
            return Failures.OK;
        }

        private static void printQuickStart(PrintStream out, GeneratedCertificate generated, Set<String> names,
                Path cert, Path key, Path token) {
            String pin = generated.pin().toString();
            out.println("wrote " + cert + " (certificate for " + String.join(", ", names) + ", valid until "
                    + generated.certificate().getNotAfter().toInstant().toString().substring(0, 10) + ")");
            out.println("wrote " + key + " (private key, mode 600)");
            if (token != null) {
                out.println("wrote " + token + " (shared token, mode 600; copy it to the client)");
            }
            out.println();
            out.println("pin: " + pin);
            out.println();
            String tokenFlag = token == null ? "" : " --token-file " + token;
            out.println("server:  weft tunnel --listen :7000 --to localhost:80 --tls-cert " + cert + " --tls-key " + key
                    + tokenFlag);
            out.println("client:  weft tunnel --connect SERVER:7000 --from 127.0.0.1:8080 --tls-pin " + pin
                    + (token == null ? "" : " --token-file " + token));
            if (token == null) {
                out.println("(without a token the server needs --tls-client-ca, or --insecure, to listen beyond loopback)");
            }
        }

        /** Writes {@code content} to a new file only its owner can read (0600 from the start). */
        private static void writePrivate(Path file, String content) throws IOException {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                throw new Failures.UsageException(file + " already exists; use --force to overwrite it", e);
            }
            Files.writeString(file, content, StandardOpenOption.TRUNCATE_EXISTING);
        }

        private static String localHostName() {
            try {
                String name = InetAddress.getLocalHost().getHostName();
                return name == null || name.isBlank() || name.equals("localhost") ? null : name;
            } catch (IOException e) {
                return null;
            }
        }
    }
}

package io.weft.cli;

import io.weft.netpoll.tls.CertificatePin;
import io.weft.netpoll.tls.TlsConfig;
import io.weft.netpoll.tls.TlsConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The TLS options of every command that makes or accepts yamux connections, for either role: a
 * server presents {@code --tls-cert}/{@code --tls-key} and may require client certificates
 * signed by {@code --tls-client-ca} (mutual TLS); a client checks the server against
 * {@code --tls-ca} or a {@code --tls-pin} (or the system's trusted CAs) and may present its own
 * {@code --tls-cert}/{@code --tls-key}. A picocli mixin, filled in on the main thread before the
 * command runs; inconsistent combinations are usage errors (exit 2, one line) when the command
 * asks for its role's {@link TlsConfig}.
 */
@Command(addMethodSubcommands = false) // a mixin: no method scan for subcommands (start-up time)
final class TlsOptions {

    /** The default bound on the TLS handshake and the token exchange together. */
    static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--tls",
            description = "Client: use TLS, trusting the system's CAs unless --tls-ca or --tls-pin says otherwise"
                    + " (implied by any other client --tls-* option).")
    boolean tls;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Certificate chain (PEM) to present: the server's, or the client's for mutual TLS. Needs --tls-key.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "Private key (PEM) of --tls-cert.")
    Path key;

    @Option(names = "--tls-client-ca", paramLabel = "FILE",
            description = "Server: require client certificates signed by these CAs (PEM): mutual TLS.")
    Path clientCa;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "Client: trust only these CAs (PEM) for the server's certificate.")
    Path ca;

    @Option(names = "--tls-pin", paramLabel = "sha256:HEX", converter = PinConverter.class,
            description = "Client: accept only the server certificate with this SHA-256 fingerprint"
                    + " (printed by 'weft tls init'); no CA or name check.")
    CertificatePin pin;

    @Option(names = "--tls-server-name", paramLabel = "NAME",
            description = "Client: the name the server's certificate must carry (default: the host to connect to).")
    String serverName;

    @Option(names = "--tls-handshake-timeout", paramLabel = "DURATION", converter = GoDuration.class,
            description = "Limit on the TLS handshake and token exchange of each connection (default: 10s).")
    Duration handshakeTimeout;

    /** Whether a client uses TLS: any client TLS option turns it on. */
    boolean clientUsesTls() {
        return tls || ca != null || pin != null || serverName != null || cert != null || key != null;
    }

    /** Whether a server uses TLS. */
    boolean serverUsesTls() {
        return cert != null || key != null || clientCa != null;
    }

    /** Whether a server requires client certificates (mutual TLS). */
    boolean requiresClientCertificates() {
        return clientCa != null;
    }

    /** The handshake bound: {@code --tls-handshake-timeout} or 10 s. */
    Duration handshakeTimeout() {
        Duration d = handshakeTimeout == null ? DEFAULT_HANDSHAKE_TIMEOUT : handshakeTimeout;
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("--tls-handshake-timeout must be more than 0s");
        }
        return d;
    }

    /**
     * The server's TLS configuration, or {@code null} without TLS.
     *
     * @throws IllegalArgumentException for client-only options or an incomplete pair (usage error)
     * @throws Failures.UsageException when a file cannot be used (its problem in one line)
     */
    TlsConfig forServer() throws IOException {
        for (Object[] clientOnly : new Object[][] {{"--tls-ca", ca}, {"--tls-pin", pin},
                {"--tls-server-name", serverName}, {"--tls", tls ? Boolean.TRUE : null}}) {
            if (clientOnly[1] != null) {
                throw new IllegalArgumentException(clientOnly[0] + " is a client option (for the side that connects);"
                        + " a server uses --tls-cert and --tls-key");
            }
        }
        if (!serverUsesTls()) {
            return null;
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException(cert == null
                    ? (key != null ? "--tls-key needs --tls-cert" : "--tls-client-ca needs --tls-cert and --tls-key")
                    : "--tls-cert needs --tls-key");
        }
        TlsConfig.Builder b = TlsConfig.builder().handshakeTimeout(handshakeTimeout());
        try {
            b.certificate(cert, key);
            if (clientCa != null) {
                b.trustedCertificates(clientCa).clientAuth(TlsConfig.ClientAuth.REQUIRE);
            }
        } catch (TlsConfigException e) {
            throw new Failures.UsageException(e.getMessage(), e);
        }
        return b.build();
    }

    /**
     * The client's TLS configuration, or {@code null} without TLS.
     *
     * @throws IllegalArgumentException for server-only options or conflicting ones (usage error)
     * @throws Failures.UsageException when a file cannot be used (its problem in one line)
     */
    TlsConfig forClient() throws IOException {
        if (clientCa != null) {
            throw new IllegalArgumentException("--tls-client-ca is a server option (for the side that listens);"
                    + " a client presents its certificate with --tls-cert and --tls-key");
        }
        if (!clientUsesTls()) {
            return null;
        }
        if (ca != null && pin != null) {
            throw new IllegalArgumentException("--tls-ca and --tls-pin are alternatives: give one");
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException(cert == null ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key");
        }
        TlsConfig.Builder b = TlsConfig.builder().handshakeTimeout(handshakeTimeout());
        try {
            if (cert != null) {
                b.certificate(cert, key);
            }
            if (ca != null) {
                b.trustedCertificates(ca);
            }
        } catch (TlsConfigException e) {
            throw new Failures.UsageException(e.getMessage(), e);
        }
        if (pin != null) {
            // The pin identifies the server by itself: a self-signed certificate names whatever it names.
            b.pin(pin);
        }
        return b.build();
    }

    /** The name the server's certificate must carry: {@code --tls-server-name}, else the host dialed. */
    String serverName(Address connect) {
        return serverName != null ? serverName : connect.forDial().host();
    }

    /** picocli converter: a bad pin is a usage error naming the expected form. */
    static final class PinConverter implements ITypeConverter<CertificatePin> {
        @Override
        public CertificatePin convert(String value) {
            try {
                return CertificatePin.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("invalid pin '" + value + "': " + e.getMessage()
                        + " (expected sha256: and 64 hex digits, as 'weft tls init' prints)");
            }
        }
    }
}

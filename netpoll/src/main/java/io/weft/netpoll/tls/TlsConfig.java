package io.weft.netpoll.tls;

import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * How {@link Tls} secures a connection: the {@link SSLContext} (keys and trust), whether a client
 * must present a certificate, ALPN protocols, protocol versions and timeouts. Immutable; any thread.
 *
 * <p>Keys and trust come either from an {@link SSLContext} given whole ({@link
 * Builder#sslContext}) or from a certificate and key ({@link Builder#certificate}), trusted
 * authorities ({@link Builder#trustedCertificates}) or a pinned peer certificate ({@link
 * Builder#pin}), from which {@link Builder#build()} makes the context:
 *
 * <pre>{@code
 * TlsConfig server = TlsConfig.builder().certificate(Path.of("cert.pem"), Path.of("key.pem")).build();
 * TlsConfig client = TlsConfig.builder().trustedCertificates(Path.of("ca.pem")).build();
 * TlsConfig pinned = TlsConfig.builder().pin(CertificatePin.parse("sha256:9f86d0...")).build();
 * }</pre>
 *
 * <p>Defaults: the JDK's default context (its trust store, no key), server name indication and
 * host name verification on for clients, TLS 1.3 and 1.2, no client certificate asked for, no
 * ALPN, a 10 s handshake timeout and Go's 5 s bound on sending close_notify from {@link
 * TlsConn#close()}.
 */
public final class TlsConfig {

    /** Whether a server asks the client for a certificate. */
    public enum ClientAuth {
        /** No client certificate is asked for (the default). */
        NONE,
        /** A client certificate is asked for and verified when sent, but not required. */
        REQUEST,
        /** A client certificate is required and verified: mutual TLS. */
        REQUIRE
    }

    private final SSLContext sslContext;
    private final ClientAuth clientAuth;
    private final List<String> applicationProtocols;
    private final List<String> protocols;
    private final boolean verifyHostname;
    private final Duration handshakeTimeout;
    private final Duration closeNotifyTimeout;
    // Whether the context was given whole; else what it was made from (all null for the default).
    private final boolean contextGiven;
    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final List<X509Certificate> trusted;
    private final CertificatePin pin;

    private TlsConfig(Builder b, SSLContext context, boolean contextGiven) {
        this.sslContext = context;
        this.contextGiven = contextGiven;
        this.chain = b.chain;
        this.key = b.key;
        this.trusted = b.trusted;
        this.pin = b.pin;
        this.clientAuth = b.clientAuth;
        this.applicationProtocols = List.copyOf(b.applicationProtocols);
        this.protocols = List.copyOf(b.protocols);
        this.verifyHostname = b.verifyHostname;
        this.handshakeTimeout = b.handshakeTimeout;
        this.closeNotifyTimeout = b.closeNotifyTimeout;
    }

    /** A config using {@code context} with every other setting at its default. */
    public static TlsConfig of(SSLContext context) {
        return builder().sslContext(context).build();
    }

    /** A builder with every setting at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The context engines are created from: the one given to {@link Builder#sslContext}, else one
     * made from the builder's certificate, trusted certificates and pin, else the JDK's default.
     */
    public SSLContext sslContext() {
        return sslContext;
    }

    /** Whether a server asks for a client certificate; default {@link ClientAuth#NONE}. */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** ALPN protocols in preference order; empty (the default) for no ALPN. */
    public List<String> applicationProtocols() {
        return applicationProtocols;
    }

    /** Enabled protocol versions; default {@code TLSv1.3, TLSv1.2}. */
    public List<String> protocols() {
        return protocols;
    }

    /** Whether a client checks that the server's certificate names the server; default true. */
    public boolean verifiesHostname() {
        return verifyHostname;
    }

    /** The longest a handshake may take, on top of any deadline; {@link Duration#ZERO} for none. Default 10 s. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** The longest {@link TlsConn#close()} waits to send close_notify; default 5 s (Go's). */
    public Duration closeNotifyTimeout() {
        return closeNotifyTimeout;
    }

    /** A builder for a copy of this config. */
    public Builder toBuilder() {
        Builder b = new Builder();
        if (contextGiven) {
            b.sslContext = sslContext;
        } else {
            b.chain = chain;
            b.key = key;
            b.trusted = trusted;
            b.pin = pin;
            b.derivedContext = sslContext;
        }
        b.clientAuth = clientAuth;
        b.applicationProtocols = applicationProtocols;
        b.protocols = protocols;
        b.verifyHostname = verifyHostname;
        b.handshakeTimeout = handshakeTimeout;
        b.closeNotifyTimeout = closeNotifyTimeout;
        return b;
    }

    /**
     * Creates an engine for one connection.
     *
     * @param clientMode true for the client end
     * @param serverName the server's host name or IP literal (client only; SNI is sent for names, not for IP literals); may be null on a server
     */
    SSLEngine createEngine(boolean clientMode, String serverName) {
        SSLEngine engine = clientMode && serverName != null
                ? sslContext.createSSLEngine(serverName, -1)
                : sslContext.createSSLEngine();
        engine.setUseClientMode(clientMode);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(protocols.toArray(String[]::new));
        if (!applicationProtocols.isEmpty()) {
            params.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        }
        if (clientMode) {
            if (verifyHostname) {
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (serverName != null && isHostName(serverName)) {
                try {
                    params.setServerNames(List.of(new SNIHostName(serverName)));
                } catch (IllegalArgumentException notLdh) {
                    // "my_service", a unix socket path: no server name indication; the name is
                    // still what the certificate is verified against.
                }
            }
        } else {
            // A pin names the one client let in: a client without a certificate is refused.
            switch (pin != null ? ClientAuth.REQUIRE : clientAuth) {
                case REQUIRE -> params.setNeedClientAuth(true);
                case REQUEST -> params.setWantClientAuth(true);
                case NONE -> { }
            }
        }
        engine.setSSLParameters(params);
        return engine;
    }

    private static boolean isHostName(String name) {
        return !name.isEmpty() && name.indexOf(':') < 0 && !name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))
                && !name.endsWith(".");
    }

    /** Builds a {@link TlsConfig}; not thread-safe. */
    public static final class Builder {
        private SSLContext sslContext;
        private List<X509Certificate> chain;
        private PrivateKey key;
        private List<X509Certificate> trusted;
        private CertificatePin pin;
        private SSLContext derivedContext; // made from the fields above by an earlier build()
        private ClientAuth clientAuth = ClientAuth.NONE;
        private List<String> applicationProtocols = List.of();
        private List<String> protocols = List.of("TLSv1.3", "TLSv1.2");
        private boolean verifyHostname = true;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration closeNotifyTimeout = Duration.ofSeconds(5);

        private Builder() {}

        /**
         * Uses {@code context} for keys and trust (default: the JDK's default context). Cannot be
         * combined with {@link #certificate}, {@link #trustedCertificates} or {@link #pin}.
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /** Whether a server asks for client certificates. */
        public Builder clientAuth(ClientAuth mode) {
            this.clientAuth = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** ALPN protocols, most preferred first. */
        public Builder applicationProtocols(String... names) {
            this.applicationProtocols = List.of(names);
            return this;
        }

        /** Enabled protocol versions, e.g. {@code "TLSv1.3"}. */
        public Builder protocols(String... names) {
            if (names.length == 0) {
                throw new IllegalArgumentException("at least one protocol version is needed");
            }
            this.protocols = List.of(names);
            return this;
        }

        /**
         * Whether a client checks the server certificate's names against the server name
         * (default true). Turned off only where something else identifies the server, e.g. a
         * pinned certificate.
         */
        public Builder verifyHostname(boolean verify) {
            this.verifyHostname = verify;
            return this;
        }

        /** The longest a handshake may take; {@link Duration#ZERO} for no limit beyond deadlines. */
        public Builder handshakeTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("handshake timeout must not be negative: " + timeout);
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /** The longest {@link TlsConn#close()} waits to send close_notify; zero sends none. */
        public Builder closeNotifyTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("close_notify timeout must not be negative: " + timeout);
            }
            this.closeNotifyTimeout = timeout;
            return this;
        }

        /**
         * Presents {@code chain} (the leaf first, then the certificates that issued it) with the
         * leaf's private key {@code key}: a server's certificate, or a client's for mutual TLS.
         * RSA, EC and Ed25519 keys work in TLS 1.3 and 1.2 (Ed25519 needs a peer that offers it).
         *
         * @throws IllegalArgumentException when the chain is empty or the key is not the leaf's
         */
        public Builder certificate(List<X509Certificate> chain, PrivateKey key) {
            List<X509Certificate> copy = List.copyOf(chain);
            Objects.requireNonNull(key, "key");
            if (copy.isEmpty()) {
                throw new IllegalArgumentException("the certificate chain is empty");
            }
            if (!KeyMaterial.matches(key, copy.get(0).getPublicKey())) {
                throw new IllegalArgumentException("the " + key.getAlgorithm() + " private key does not match"
                        + " the certificate for " + copy.get(0).getSubjectX500Principal().getName());
            }
            return setCertificate(copy, key);
        }

        /**
         * {@link #certificate(List, PrivateKey)} read from PEM files: {@code chainPem} holds one or
         * more {@code CERTIFICATE} blocks, leaf first; {@code keyPem} the leaf's unencrypted PKCS#8
         * {@code PRIVATE KEY} (see {@link Pem#readPrivateKey}). Both files are read now.
         *
         * @throws TlsConfigException when a file cannot be read or parsed, or the key does not
         *     match the leaf certificate; the message names the files
         */
        public Builder certificate(Path chainPem, Path keyPem) throws TlsConfigException {
            List<X509Certificate> certs = Pem.readCertificates(chainPem);
            PrivateKey privateKey = Pem.readPrivateKey(keyPem);
            if (!KeyMaterial.matches(privateKey, certs.get(0).getPublicKey())) {
                throw new TlsConfigException("tls: " + keyPem + " does not match the certificate in " + chainPem);
            }
            return setCertificate(certs, privateKey);
        }

        private Builder setCertificate(List<X509Certificate> certs, PrivateKey privateKey) {
            this.chain = certs;
            this.key = privateKey;
            this.derivedContext = null;
            return this;
        }

        /**
         * Verifies the peer against these certificate authorities instead of the JDK's default
         * trust store: a client's authorities for servers, a server's for client certificates
         * (with {@link ClientAuth#REQUEST} or {@link ClientAuth#REQUIRE}).
         *
         * @throws IllegalArgumentException when {@code cas} is empty
         */
        public Builder trustedCertificates(List<X509Certificate> cas) {
            List<X509Certificate> copy = List.copyOf(cas);
            if (copy.isEmpty()) {
                throw new IllegalArgumentException("no trusted certificates given");
            }
            this.trusted = copy;
            this.derivedContext = null;
            return this;
        }

        /**
         * {@link #trustedCertificates(List)} read now from a PEM bundle of {@code CERTIFICATE} blocks.
         *
         * @throws TlsConfigException when the file cannot be read or holds no certificate
         */
        public Builder trustedCertificates(Path caBundlePem) throws TlsConfigException {
            return trustedCertificates(Pem.readCertificates(caBundlePem));
        }

        /**
         * Trusts exactly the peer certificate {@code pin} names, and no certificate authority; a
         * later call replaces the pin. Works in both directions: a client pinning its server, a
         * server pinning its client's certificate. No host name, validity date or authority is
         * checked (the pin is the peer's identity, as an ssh host key is), so this also sets
         * {@link #verifyHostname verifyHostname(false)} (turning it back on has no effect while
         * a pin is set). A different certificate fails the handshake with {@link
         * TlsHandshakeException.Reason#PIN_MISMATCH}. A server with a pin requires a client
         * certificate whatever {@link #clientAuth} says.
         */
        public Builder pin(CertificatePin pin) {
            this.pin = Objects.requireNonNull(pin, "pin");
            this.verifyHostname = false;
            this.derivedContext = null;
            return this;
        }

        /**
         * The config.
         *
         * @throws IllegalStateException when {@link #sslContext} was combined with {@link
         *     #certificate}, {@link #trustedCertificates} or {@link #pin}; when both trusted
         *     certificates and a pin were set; or when {@link ClientAuth#REQUIRE} has nothing to
         *     verify client certificates against
         */
        public TlsConfig build() {
            boolean material = chain != null || trusted != null || pin != null;
            if (sslContext != null) {
                if (material) {
                    throw new IllegalStateException("sslContext cannot be combined with certificate,"
                            + " trustedCertificates or pin; the SSLContext already holds keys and trust");
                }
                return new TlsConfig(this, sslContext, true);
            }
            if (trusted != null && pin != null) {
                throw new IllegalStateException("set trustedCertificates or pin, not both");
            }
            if (clientAuth == ClientAuth.REQUIRE && trusted == null && pin == null) {
                throw new IllegalStateException("client certificates required but nothing to verify them"
                        + " against: set trustedCertificates or pin");
            }
            if (!material) {
                try {
                    return new TlsConfig(this, SSLContext.getDefault(), false);
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException("the JDK has no default TLS context", e);
                }
            }
            if (derivedContext == null) {
                derivedContext = KeyMaterial.sslContext(chain, key, trusted, pin);
            }
            return new TlsConfig(this, derivedContext, false);
        }
    }
}

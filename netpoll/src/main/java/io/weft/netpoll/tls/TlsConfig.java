package io.weft.netpoll.tls;

import java.security.NoSuchAlgorithmException;
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

    private TlsConfig(Builder b) {
        this.sslContext = b.sslContext;
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

    /** The context engines are created from. */
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
        b.sslContext = sslContext;
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
                params.setServerNames(List.of(new SNIHostName(serverName)));
            }
        } else {
            switch (clientAuth) {
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
        private ClientAuth clientAuth = ClientAuth.NONE;
        private List<String> applicationProtocols = List.of();
        private List<String> protocols = List.of("TLSv1.3", "TLSv1.2");
        private boolean verifyHostname = true;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration closeNotifyTimeout = Duration.ofSeconds(5);

        private Builder() {}

        /** Uses {@code context} for keys and trust (default: the JDK's default context). */
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

        /** The config. */
        public TlsConfig build() {
            if (sslContext == null) {
                try {
                    sslContext = SSLContext.getDefault();
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException("the JDK has no default TLS context", e);
                }
            }
            return new TlsConfig(this);
        }
    }
}

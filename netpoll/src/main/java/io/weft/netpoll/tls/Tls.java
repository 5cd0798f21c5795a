package io.weft.netpoll.tls;

import io.weft.netpoll.Conn;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * TLS over any {@link Conn}: Go's {@code tls.Client} and {@code tls.Server}.
 *
 * <pre>{@code
 * TlsConn tls = Tls.client(Net.dial("tcp", "example.com:443"), TlsConfig.of(SSLContext.getDefault()), "example.com");
 * tls.handshake();                      // optional: the first read or write runs it
 * tls.write(ByteBuffer.wrap(request));
 * }</pre>
 *
 * <p>The returned connection owns {@code conn}: closing it closes {@code conn}. Nothing is sent
 * or read until the handshake. Stateless; any thread.
 */
public final class Tls {
    private Tls() {}

    /**
     * The client end of a TLS connection over {@code conn}.
     *
     * @param serverName the name the server's certificate must carry (a host name or an IP
     *     literal); also sent as server name indication when it is a host name
     */
    public static TlsConn client(Conn conn, TlsConfig config, String serverName) {
        Objects.requireNonNull(serverName, "serverName");
        return new TlsConn(conn, config, config.createEngine(true, serverName), true);
    }

    /** {@link #client(Conn, TlsConfig, String)} with {@code context} and default settings. */
    public static TlsConn client(Conn conn, SSLContext context, String serverName) {
        return client(conn, TlsConfig.of(context), serverName);
    }

    /** The server end of a TLS connection over {@code conn}. */
    public static TlsConn server(Conn conn, TlsConfig config) {
        return new TlsConn(conn, config, config.createEngine(false, null), false);
    }

    /** {@link #server(Conn, TlsConfig)} with {@code context} and default settings. */
    public static TlsConn server(Conn conn, SSLContext context) {
        return server(conn, TlsConfig.of(context));
    }
}

package io.weft.netpoll.tls;

import io.weft.netpoll.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/** STUB: being implemented. */
public final class TlsConn implements Conn {
    TlsConn(Conn conn, TlsConfig config, SSLEngine engine, boolean client) {
        throw new UnsupportedOperationException("stub");
    }

    /** Runs the handshake now if it has not run yet. */
    public void handshake() throws IOException { throw new UnsupportedOperationException(); }
    /** The session after the handshake. */
    public SSLSession session() { throw new UnsupportedOperationException(); }
    /** The ALPN protocol agreed on, or "" when none. */
    public String applicationProtocol() { throw new UnsupportedOperationException(); }
    /** e.g. TLSv1.3 */
    public String protocol() { throw new UnsupportedOperationException(); }
    /** e.g. TLS_AES_128_GCM_SHA256 */
    public String cipherSuite() { throw new UnsupportedOperationException(); }
    /** The peer's chain, leaf first; empty when it sent none. */
    public List<X509Certificate> peerCertificates() { throw new UnsupportedOperationException(); }
    /** The connection TLS runs over. */
    public Conn underlying() { throw new UnsupportedOperationException(); }

    @Override public int read(ByteBuffer dst) throws IOException { throw new UnsupportedOperationException(); }
    @Override public int write(ByteBuffer src) throws IOException { throw new UnsupportedOperationException(); }
    @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException { throw new UnsupportedOperationException(); }
    @Override public long write(ByteBuffer[] srcs, int offset, int length) throws IOException { throw new UnsupportedOperationException(); }
    @Override public void closeWrite() throws IOException { throw new UnsupportedOperationException(); }
    @Override public void closeRead() throws IOException { throw new UnsupportedOperationException(); }
    @Override public void close() throws IOException { throw new UnsupportedOperationException(); }
    @Override public boolean isOpen() { throw new UnsupportedOperationException(); }
    @Override public SocketAddress localAddress() { throw new UnsupportedOperationException(); }
    @Override public SocketAddress remoteAddress() { throw new UnsupportedOperationException(); }
    @Override public void setReadDeadline(Instant deadline) throws IOException { throw new UnsupportedOperationException(); }
    @Override public void setWriteDeadline(Instant deadline) throws IOException { throw new UnsupportedOperationException(); }
    @Override public InputStream inputStream() { throw new UnsupportedOperationException(); }
    @Override public OutputStream outputStream() { throw new UnsupportedOperationException(); }
}

package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.netpoll.ConnInputStream;
import io.weft.netpoll.ConnOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * The connection of a client that runs yamux without a token (and maybe without TLS), watching
 * the server's first bytes, which for a yamux server start with version 0. When they are the
 * token challenge of {@link TokenAuth}, reads fail with {@link AuthenticationFailedException}
 * ("server requires a token"); when they are a TLS record (an alert: the server wanted a TLS
 * handshake), with {@link ProtocolMismatchException}. Either way yamux is not handed bytes it
 * would report as a puzzling protocol error. After the first {@code MAGIC.length} bytes it only
 * passes calls through. Reads from one thread at a time (yamux's reader), like any Conn.
 */
final class PlainClientConn implements Conn {

    private final Conn conn;
    private final byte[] first = new byte[TokenAuth.MAGIC.length];
    private int seen; // bytes of first filled; first.length once decided (only the reader writes it)

    PlainClientConn(Conn conn) {
        this.conn = conn;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (seen == first.length) {
            return conn.read(dst);
        }
        int start = dst.position();
        int n = conn.read(dst);
        if (n > 0) {
            int take = Math.min(n, first.length - seen);
            dst.get(start, first, seen, take);
            seen += take;
            if (seen >= 2 && (first[0] == 0x15 || first[0] == 0x16) && first[1] == 0x03) {
                throw new ProtocolMismatchException("the server speaks TLS: connect with --tls-pin, --tls-ca or --tls");
            }
            boolean maybeTls = (first[0] == 0x15 || first[0] == 0x16) && seen < 2;
            if (!maybeTls && !Arrays.equals(first, 0, seen, TokenAuth.MAGIC, 0, seen)) {
                seen = first.length; // a yamux frame (or something else for yamux to judge): stop looking
            } else if (seen == first.length) {
                throw new AuthenticationFailedException(TokenAuth.SERVER_REQUIRES_TOKEN);
            }
        }
        return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        if (seen == first.length) {
            return conn.read(dsts, offset, length);
        }
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]);
            }
        }
        return 0;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return conn.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return conn.write(srcs, offset, length);
    }

    @Override
    public void closeWrite() throws IOException {
        conn.closeWrite();
    }

    @Override
    public void closeRead() throws IOException {
        conn.closeRead();
    }

    @Override
    public void close() throws IOException {
        conn.close();
    }

    @Override
    public boolean isOpen() {
        return conn.isOpen();
    }

    @Override
    public SocketAddress localAddress() {
        return conn.localAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return conn.remoteAddress();
    }

    @Override
    public void setReadDeadline(Instant deadline) throws IOException {
        conn.setReadDeadline(deadline);
    }

    @Override
    public void setWriteDeadline(Instant deadline) throws IOException {
        conn.setWriteDeadline(deadline);
    }

    @Override
    public InputStream inputStream() {
        return new ConnInputStream(this);
    }

    @Override
    public OutputStream outputStream() {
        return new ConnOutputStream(this);
    }
}

package io.weft.yamux;

import io.weft.netpoll.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Passes every call to {@code conn}; tests override what they watch. */
class DelegatingConn implements Conn {
    private final Conn conn;

    DelegatingConn(Conn conn) {
        this.conn = conn;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return conn.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return conn.read(dsts, offset, length);
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
    public boolean isOpen() {
        return conn.isOpen();
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
        return conn.inputStream();
    }

    @Override
    public OutputStream outputStream() {
        return conn.outputStream();
    }
}

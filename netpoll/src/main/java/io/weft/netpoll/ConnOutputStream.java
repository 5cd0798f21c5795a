package io.weft.netpoll;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The {@link Conn#outputStream()} view: each write is one {@link Conn#write(ByteBuffer)} of all
 * the bytes; nothing is buffered, so {@code flush} does nothing. Same threads as the connection.
 */
public final class ConnOutputStream extends OutputStream {
    private final Conn conn;

    /** Creates the view of {@code conn}; {@link Conn} implementations return one from {@code outputStream()}. */
    public ConnOutputStream(Conn conn) {
        this.conn = conn;
    }

    @Override
    public void write(int b) throws IOException {
        conn.write(ByteBuffer.wrap(new byte[] {(byte) b}));
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        conn.write(ByteBuffer.wrap(bytes, offset, length));
    }

    /** Closes the connection. */
    @Override
    public void close() throws IOException {
        conn.close();
    }
}

package io.weft.netpoll;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The {@link Conn#inputStream()} view: each read is one {@link Conn#read(ByteBuffer)}, so it
 * blocks, times out and fails exactly as the connection does. Same threads as the connection.
 */
public final class ConnInputStream extends InputStream {
    private final Conn conn;

    /** Creates the view of {@code conn}; {@link Conn} implementations return one from {@code inputStream()}. */
    public ConnInputStream(Conn conn) {
        this.conn = conn;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length == 0) {
            return 0;
        }
        return conn.read(ByteBuffer.wrap(bytes, offset, length));
    }

    /** Closes the connection. */
    @Override
    public void close() throws IOException {
        conn.close();
    }
}

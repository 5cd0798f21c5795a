package io.weft.cli;

import io.weft.netpoll.Conn;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;

/**
 * Reads one handshake message (SOCKS5, preamble) from a connection or stream with a deadline,
 * using a pure decoder, and writes whole messages. Bytes that arrived after the message are kept
 * for the caller to pass on (a SOCKS client may send data before the reply; a target's first
 * bytes may follow the exit's reply). Stateless; one thread per connection.
 */
final class MessageIo {

    /** A decoder as in {@link Socks5} and {@link Preamble}: {@code null} while more bytes are needed. */
    @FunctionalInterface
    interface Decoder<T> {
        T decode(ByteBuffer in) throws IOException;
    }

    /** The decoded message and what arrived after it (read mode, possibly empty). */
    record Message<T>(T value, ByteBuffer leftover) {}

    private MessageIo() {}

    /**
     * Reads until {@code decoder} has a message, at most {@code maxBytes}, within {@code timeout};
     * clears the read deadline afterwards.
     *
     * @throws EOFException the peer closed first (the message says how many bytes had arrived)
     * @throws java.net.SocketTimeoutException the timeout passed first
     */
    static <T> Message<T> read(Conn conn, int maxBytes, Duration timeout, Decoder<T> decoder) throws IOException {
        return read(conn, ByteBuffer.allocate(0), maxBytes, timeout, decoder);
    }

    /**
     * As {@link #read(Conn, int, Duration, Decoder)}, starting with {@code arrived}: the leftover
     * of the previous message (a client that sent its next message without waiting for the answer).
     *
     * @throws java.net.ProtocolException {@code arrived} alone is longer than {@code maxBytes}
     */
    static <T> Message<T> read(Conn conn, ByteBuffer arrived, int maxBytes, Duration timeout, Decoder<T> decoder)
            throws IOException {
        if (arrived.remaining() > maxBytes) {
            throw new java.net.ProtocolException("message longer than " + maxBytes + " bytes");
        }
        ByteBuffer buffer = ByteBuffer.allocate(maxBytes).put(arrived.duplicate());
        conn.setReadDeadline(Instant.now().plus(timeout));
        while (true) {
            ByteBuffer view = buffer.duplicate().flip();
            T value = decoder.decode(view);
            if (value != null) {
                conn.setReadDeadline(null);
                return new Message<>(value, view.slice());
            }
            if (!buffer.hasRemaining()) {
                throw new java.net.ProtocolException("message longer than " + maxBytes + " bytes");
            }
            if (conn.read(buffer) < 0) {
                throw new EOFException("closed after " + buffer.position() + " bytes of a message");
            }
        }
    }

    /** Writes all of {@code bytes}. */
    static void write(Conn conn, byte[] bytes) throws IOException {
        write(conn, ByteBuffer.wrap(bytes));
    }

    /** Writes all that remains in {@code buffer}. */
    static void write(Conn conn, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            conn.write(buffer);
        }
    }
}

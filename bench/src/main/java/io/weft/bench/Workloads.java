package io.weft.bench;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.concurrent.atomic.LongAdder;

/**
 * The measured loops, shared by every variant so that only the transport differs: the 64-byte
 * ping-pong (request/response) and one-way bulk transfer in 64 KiB writes. They run on whatever
 * thread the caller chose (virtual or platform) and stop at the first I/O failure, which is how a
 * cell ends when the harness closes its connections.
 */
final class Workloads {

    /** Size of one ping-pong message, bytes. */
    static final int MESSAGE_BYTES = 64;

    /** Size of one bulk write and of the bulk reader's buffer, bytes. */
    static final int BULK_CHUNK_BYTES = 64 * 1024;

    private Workloads() {}

    /** A buffer for the loops: direct unless {@code heap} (the JDK copies heap buffers). */
    static ByteBuffer buffer(int bytes, boolean heap) {
        return heap ? ByteBuffer.allocate(bytes) : ByteBuffer.allocateDirect(bytes);
    }

    /** Client side of ping-pong: write a message, read its echo, count one round trip, repeat. */
    static void pingPong(ByteChannel channel, boolean heap, LongAdder roundTrips) throws IOException {
        ByteBuffer message = buffer(MESSAGE_BYTES, heap);
        while (true) {
            message.clear();
            writeFully(channel, message);
            message.clear();
            readFully(channel, message);
            roundTrips.increment();
        }
    }

    /** Server side of ping-pong: read a whole message and write it back, until the peer goes. */
    static void echo(ByteChannel channel, boolean heap) throws IOException {
        ByteBuffer message = buffer(MESSAGE_BYTES, heap);
        while (true) {
            message.clear();
            readFully(channel, message);
            message.flip();
            writeFully(channel, message);
        }
    }

    /** Sending side of bulk: 64 KiB writes without pause, until the connection fails. */
    static void bulkSend(ByteChannel channel, boolean heap) throws IOException {
        ByteBuffer chunk = buffer(BULK_CHUNK_BYTES, heap);
        while (true) {
            chunk.clear();
            writeFully(channel, chunk);
        }
    }

    /** Receiving side of bulk: reads into a 64 KiB buffer and counts the bytes. */
    static void bulkReceive(ByteChannel channel, boolean heap, LongAdder bytes) throws IOException {
        ByteBuffer buffer = buffer(BULK_CHUNK_BYTES, heap);
        while (true) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                throw new EOFException("peer closed the bulk stream");
            }
            bytes.add(n);
        }
    }

    static void writeFully(ByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer); // Weft writes everything in one call; the JDK's blocking channel does too.
        }
    }

    static void readFully(ByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("peer closed after " + buffer.position() + " bytes of a message");
            }
        }
    }
}

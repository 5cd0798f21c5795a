package io.weft.yamux;

import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Reading frames as a raw peer does, for tests that play the peer over a {@link PipeConn}. */
final class RawFrames {
    private RawFrames() {}

    /** Reads one 12-byte frame header; EOFException if the pipe ends first. */
    static FrameHeader readHeader(PipeConn raw) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(FrameHeader.SIZE);
        readFully(raw, buffer);
        return FrameHeader.decode(buffer.array(), 0);
    }

    /** Reads one frame: its header, and a data frame's payload, which is skipped. */
    static FrameHeader readFrame(PipeConn raw) throws IOException {
        FrameHeader header = readHeader(raw);
        if (header.type() == FrameType.DATA && header.length() > 0) {
            readFully(raw, ByteBuffer.allocate((int) header.length()));
        }
        return header;
    }

    private static void readFully(PipeConn raw, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (raw.read(buffer) < 0) {
                throw new EOFException();
            }
        }
    }
}

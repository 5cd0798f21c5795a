package io.weft.yamux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The other I/O shapes of a {@link Stream}, all built on its single-buffer read and write:
 * scattering and gathering, and the {@link InputStream} and {@link OutputStream} views (closing
 * either closes the stream). Thread rules are the stream's.
 */
final class StreamIo {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private StreamIo() {
    }

    /** See {@link Stream#read(ByteBuffer[], int, int)}. */
    static long scatter(Stream stream, ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                int n = stream.read(dsts[i]);
                if (n <= 0) {
                    return n;
                }
                long total = n;
                // Take whatever else is already buffered, without blocking.
                for (int j = i; j < offset + length && stream.available() > 0; j++) {
                    if (dsts[j].hasRemaining()) {
                        total += stream.read(dsts[j]);
                    }
                }
                return total;
            }
        }
        // Nothing to fill: still fails on a closed or reset stream, as a read into a full buffer does.
        return stream.read(EMPTY);
    }

    /** See {@link Stream#write(ByteBuffer[], int, int)}. */
    static long gather(Stream stream, ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += stream.write(srcs[i]);
        }
        return total;
    }

    /** The {@link InputStream} view. */
    static final class Input extends InputStream {
        private final Stream stream;

        Input(Stream stream) {
            this.stream = stream;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            return stream.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public int available() {
            return stream.available();
        }

        @Override
        public void close() {
            stream.close();
        }
    }

    /** The {@link OutputStream} view. */
    static final class Output extends OutputStream {
        private final Stream stream;

        Output(Stream stream) {
            this.stream = stream;
        }

        @Override
        public void write(int b) throws IOException {
            stream.write(ByteBuffer.wrap(new byte[] {(byte) b}));
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            stream.write(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() {
            stream.close();
        }
    }
}

package io.weft.yamux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The {@link InputStream} and {@link OutputStream} views of a {@link Stream}; closing either
 * closes the stream. Thread rules are the stream's.
 */
final class StreamIo {
    private StreamIo() {
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

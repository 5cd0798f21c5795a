package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stream-pair transport (stdin/stdout tunnels) gathers a batch into one {@code write} call on
 * its stream, which a {@code FileOutputStream} turns into one write(2), instead of one per buffer.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StreamPairTransportTest {

    /** Records every write call's length, and the bytes, and counts flushes. */
    private static final class RecordingStream extends OutputStream {
        final List<Integer> writes = new ArrayList<>();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int flushes;

        @Override
        public void write(int b) {
            writes.add(1);
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes.add(len);
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
        }
    }

    private static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void aBatchOfHeadersAndBodiesOfEveryKindIsOneWriteCall() throws Exception {
        RecordingStream out = new RecordingStream();
        Transport transport = Transport.of(new ByteArrayInputStream(new byte[0]), out);
        byte[] h1 = bytes(12, 1);
        byte[] b1 = bytes(64 * 1024, 2);
        byte[] h2 = bytes(12, 3);
        byte[] b2 = bytes(40_000, 4);
        byte[] h3 = bytes(12, 5);
        ByteBuffer[] srcs = {ByteBuffer.wrap(new byte[] {7}), ByteBuffer.wrap(h1), ByteBuffer.wrap(b1),
            ByteBuffer.wrap(h2), ByteBuffer.allocateDirect(b2.length).put(b2).flip(), ByteBuffer.wrap(h3).asReadOnlyBuffer(),
            ByteBuffer.allocate(0)};
        transport.write(srcs, 1, srcs.length - 1);
        assertThat(out.writes).containsExactly(12 + 64 * 1024 + 12 + 40_000 + 12);
        assertThat(out.flushes).isEqualTo(1);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (byte[] part : List.of(h1, b1, h2, b2, h3)) {
            expected.writeBytes(part);
        }
        assertThat(out.bytes.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(Arrays.stream(srcs, 1, srcs.length).noneMatch(ByteBuffer::hasRemaining)).isTrue();
        assertThat(srcs[0].remaining()).as("outside the range").isEqualTo(1);
    }

    @Test
    void moreThanOneGatherIsWrittenInFullChunksAndALargeLoneBufferWithoutACopy() throws Exception {
        RecordingStream out = new RecordingStream();
        Transport transport = Transport.of(new ByteArrayInputStream(new byte[0]), out);
        int area = (int) Outbound.MAX_WRITE_CALL_BYTES;
        byte[] big = bytes(area + 100, 1);
        byte[] small = bytes(12, 2);
        byte[] direct = bytes(2 * area, 3);
        transport.write(new ByteBuffer[] {ByteBuffer.wrap(big), ByteBuffer.wrap(small),
            ByteBuffer.allocateDirect(direct.length).put(direct).flip()}, 0, 3);
        // the big heap buffer alone from its array; then 12 + 2 areas of direct bytes in area-sized writes
        assertThat(out.writes).containsExactly(area + 100, area, area, 12);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(big);
        expected.writeBytes(small);
        expected.writeBytes(direct);
        assertThat(out.bytes.toByteArray()).isEqualTo(expected.toByteArray());
    }
}

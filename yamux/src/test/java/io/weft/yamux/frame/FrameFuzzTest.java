package io.weft.yamux.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.weft.netpoll.FuzzCorpus;
import java.lang.management.ManagementFactory;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the frame header codec with arbitrary bytes, decoded back to back as a peer's stream
 * would be. Invariants: the only failure is {@link MalformedFrameException} (version or type) or,
 * with fewer than 12 bytes, {@link BufferUnderflowException} consuming nothing; whatever decodes
 * re-encodes to the same 12 bytes, in either buffer byte order; the array and buffer decoders
 * agree; decoding allocates a bounded amount whatever the length field says.
 *
 * <p>{@link #fuzz} runs only under {@code ./build test -Pstress} (docs/fuzzing.md); {@link
 * #replay} runs its committed corpus in every build.
 */
class FrameFuzzTest {
    /** Bytes one decode may allocate: the record, its toString, the ByteBuffer path's 12-byte copy. */
    private static final long MAX_ALLOCATION_PER_FRAME = 4096;

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 30, unit = java.util.concurrent.TimeUnit.MINUTES)
    void fuzz(byte[] data) throws Exception {
        check(data);
    }

    static Stream<Arguments> corpus() {
        return FuzzCorpus.inputs(FrameFuzzTest.class, "fuzz");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @Timeout(10)
    void replay(String name, byte[] data) throws Exception {
        check(data);
    }

    static void check(byte[] data) throws Exception {
        ByteBuffer big = ByteBuffer.wrap(data);
        ByteBuffer little = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        while (big.hasRemaining()) {
            int at = big.position();
            if (big.remaining() < FrameHeader.SIZE) {
                try {
                    FrameHeader.decode(big);
                    throw new AssertionError("decoded a header from " + big.remaining() + " bytes");
                } catch (BufferUnderflowException expected) {
                    assertThat(big.position()).as("nothing consumed on underflow").isEqualTo(at);
                }
                return;
            }
            byte[] raw = Arrays.copyOfRange(data, at, at + FrameHeader.SIZE);
            FrameHeader header;
            try {
                header = FrameHeader.decode(big);
            } catch (MalformedFrameException e) {
                assertThat(raw[0] != 0 || (raw[1] & 0xFF) > 3).as("rejected %s: %s", hex(raw), e.getMessage()).isTrue();
                assertThat(big.position()).isEqualTo(at + FrameHeader.SIZE);
                assertRejectedEverywhere(data, at, little);
                continue;
            }
            String text = header.toString();
            ByteBuffer again = ByteBuffer.wrap(data, at, FrameHeader.SIZE);
            long allocatedBefore = allocatedBytes(); // measured on a second decode: the first loaded classes
            FrameHeader.decode(again).toString();
            long allocated = allocatedBytes() - allocatedBefore;
            assertThat(allocated).as("bytes allocated decoding %s", text).isLessThan(MAX_ALLOCATION_PER_FRAME);
            assertThat(big.position()).isEqualTo(at + FrameHeader.SIZE);
            assertThat(raw[0]).isZero();
            assertThat(header.type().code()).isEqualTo(raw[1] & 0xFF);
            assertThat(header.toBytes()).as("re-encoding %s", text).isEqualTo(raw);
            assertThat(FrameHeader.decode(data, at)).isEqualTo(header);
            assertThat(FrameHeader.decode(little)).as("decoding ignores the buffer's byte order").isEqualTo(header);
            assertThat(header.flags()).isEqualTo(FrameHeader.flagsAt(data, at)).isBetween(0, 0xFFFF);
            assertThat(header.streamId()).isEqualTo(FrameHeader.streamIdAt(data, at));
            assertThat(header.length()).isEqualTo(FrameHeader.lengthAt(data, at)).isBetween(0L, FrameHeader.MAX_LENGTH);
            assertThat(header.streamIdUnsigned()).isEqualTo(Integer.toUnsignedLong(header.streamId()));
            ByteBuffer encoded = ByteBuffer.allocate(FrameHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
            header.encode(encoded);
            assertThat(encoded.array()).as("encoding ignores the buffer's byte order").isEqualTo(raw);
            FrameHeader rebuilt = new FrameHeader(header.type(), header.flags(), header.streamId(), header.length());
            assertThat(rebuilt).isEqualTo(header);
            assertThat(Flags.toString(header.flags())).isNotNull();
        }
    }

    private static void assertRejectedEverywhere(byte[] data, int at, ByteBuffer little) {
        try {
            FrameHeader.checkedType(data, at);
            throw new AssertionError("checkedType accepted what decode rejected at " + at);
        } catch (MalformedFrameException expected) {
            // the hot-path check agrees with decode
        }
        try {
            FrameHeader.decode(little);
            throw new AssertionError("little-endian decode accepted what decode rejected at " + at);
        } catch (MalformedFrameException expected) {
            assertThat(little.position()).isEqualTo(at + FrameHeader.SIZE);
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}

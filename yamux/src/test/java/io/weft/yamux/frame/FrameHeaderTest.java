package io.weft.yamux.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FrameHeaderTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String text) {
        return HEX.parseHex(text.replace(" ", ""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // description, type, flags, stream id, length, expected bytes
        "data no flags,          0, 0,      3,          1024,       00 00 0000 00000003 00000400",
        "data SYN,               0, 1,      1,          0,          00 00 0001 00000001 00000000",
        "data ACK FIN,           0, 6,      2,          5,          00 00 0006 00000002 00000005",
        "data all flags,         0, 15,     7,          1,          00 00 000f 00000007 00000001",
        "data max length,        0, 0,      1,          4294967295, 00 00 0000 00000001 ffffffff",
        "window update SYN,      1, 1,      1,          0,          00 01 0001 00000001 00000000",
        "window update ACK,      1, 2,      2,          786432,     00 01 0002 00000002 000c0000",
        "window update RST code, 1, 8,      5,          42,         00 01 0008 00000005 0000002a",
        "window update FIN,      1, 4,      9,          0,          00 01 0004 00000009 00000000",
        "window update max id,   1, 0,      4294967295, 1,          00 01 0000 ffffffff 00000001",
        "ping request,           2, 1,      0,          305419896,  00 02 0001 00000000 12345678",
        "ping reply,             2, 2,      0,          4294967294, 00 02 0002 00000000 fffffffe",
        "go away normal,         3, 0,      0,          0,          00 03 0000 00000000 00000000",
        "go away protocol,       3, 0,      0,          1,          00 03 0000 00000000 00000001",
        "go away internal,       3, 0,      0,          2,          00 03 0000 00000000 00000002",
        "unknown flag bits kept, 0, 65535,  3,          0,          00 00 ffff 00000003 00000000",
        "high unknown flag,      1, 4098,   3,          0,          00 01 1002 00000003 00000000",
    })
    void encodesAndDecodesByteExactly(String description, int typeCode, int flags, long streamId, long length,
            String expectedHex) throws Exception {
        FrameType type = FrameType.fromCode(typeCode);
        FrameHeader header = new FrameHeader(type, flags, (int) streamId, length);
        byte[] expected = hex(expectedHex);

        assertThat(header.toBytes()).as(description).isEqualTo(expected);
        assertThat(FrameHeader.decode(expected, 0)).isEqualTo(header);
        assertThat(FrameHeader.decode(ByteBuffer.wrap(expected))).isEqualTo(header);
        assertThat(header.streamIdUnsigned()).isEqualTo(streamId);
    }

    @Test
    void factoriesBuildTheRightHeaders() {
        assertThat(FrameHeader.data(3, Flags.FIN, 10).toBytes()).isEqualTo(hex("00 00 0004 00000003 0000000a"));
        assertThat(FrameHeader.windowUpdate(1, Flags.SYN, 65536).toBytes())
                .isEqualTo(hex("00 01 0001 00000001 00010000"));
        assertThat(FrameHeader.ping(Flags.SYN, -1).toBytes()).isEqualTo(hex("00 02 0001 00000000 ffffffff"));
        assertThat(FrameHeader.goAway(GoAwayCodes.INTERNAL_ERROR).toBytes())
                .isEqualTo(hex("00 03 0000 00000000 00000002"));
        assertThat(FrameHeader.goAway(-2).length()).isEqualTo(0xFFFF_FFFEL);
    }

    @Test
    void encodesIntoByteBufferBigEndianWhateverItsOrder() {
        ByteBuffer buffer = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put((byte) 0x7f);
        FrameHeader.data(0x01020304, Flags.SYN | Flags.ACK, 0x0a0b0c0dL).encode(buffer);
        assertThat(buffer.position()).isEqualTo(13);
        assertThat(buffer.array()).isEqualTo(hex("7f 00 00 0003 01020304 0a0b0c0d 00"));
    }

    @Test
    void encodesAtAnOffsetWithoutTouchingOtherBytes() {
        byte[] dst = new byte[20];
        java.util.Arrays.fill(dst, (byte) 0x55);
        FrameHeader.encode(dst, 4, FrameType.PING, Flags.ACK, 0, 7);
        assertThat(dst).isEqualTo(hex("55555555 00 02 0002 00000000 00000007 55555555"));
    }

    @Test
    void staticFieldReadersMatchTheRecord() throws Exception {
        Random random = new Random(42);
        byte[] bytes = new byte[FrameHeader.SIZE + 3];
        for (int i = 0; i < 10_000; i++) {
            FrameType type = FrameType.values()[random.nextInt(4)];
            int flags = random.nextInt(0x10000);
            int streamId = random.nextInt();
            long length = Integer.toUnsignedLong(random.nextInt());
            FrameHeader.encode(bytes, 3, type, flags, streamId, length);
            assertThat(FrameHeader.checkedType(bytes, 3)).isEqualTo(type);
            assertThat(FrameHeader.flagsAt(bytes, 3)).isEqualTo(flags);
            assertThat(FrameHeader.streamIdAt(bytes, 3)).isEqualTo(streamId);
            assertThat(FrameHeader.lengthAt(bytes, 3)).isEqualTo(length);
            assertThat(FrameHeader.decode(bytes, 3)).isEqualTo(new FrameHeader(type, flags, streamId, length));
        }
    }

    @ParameterizedTest
    @CsvSource({"01 00 0000 00000000 00000000, unsupported yamux version 1",
        "ff 02 0001 00000000 00000000, unsupported yamux version 255",
        "00 04 0000 00000001 00000000, unknown yamux frame type 4",
        "00 ff 0000 00000001 00000000, unknown yamux frame type 255"})
    void rejectsBadVersionAndType(String bytes, String message) {
        assertThatThrownBy(() -> FrameHeader.decode(hex(bytes), 0))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessage(message);
    }

    @Test
    void decodeFromBufferNeedsTwelveBytesAndConsumesNothingOtherwise() {
        ByteBuffer shortBuffer = ByteBuffer.wrap(hex("00 00 0000 00000001 000000"));
        assertThatThrownBy(() -> FrameHeader.decode(shortBuffer)).isInstanceOf(BufferUnderflowException.class);
        assertThat(shortBuffer.position()).isZero();
    }

    @Test
    void decodeFromBufferAdvancesPastABadHeader() {
        ByteBuffer buffer = ByteBuffer.wrap(hex("00 09 0000 00000001 00000000 00"));
        assertThatThrownBy(() -> FrameHeader.decode(buffer)).isInstanceOf(MalformedFrameException.class);
        assertThat(buffer.position()).isEqualTo(12);
    }

    @Test
    void rejectsOutOfRangeFields() {
        assertThatThrownBy(() -> FrameHeader.data(1, 0x10000, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("flags");
        assertThatThrownBy(() -> FrameHeader.data(1, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FrameHeader.data(1, 0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length");
        assertThatThrownBy(() -> FrameHeader.data(1, 0, 0x1_0000_0000L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrameHeader(null, 0, 1, 0)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void typesHaveTheSpecCodes() {
        assertThat(FrameType.DATA.code()).isZero();
        assertThat(FrameType.WINDOW_UPDATE.code()).isEqualTo(1);
        assertThat(FrameType.PING.code()).isEqualTo(2);
        assertThat(FrameType.GO_AWAY.code()).isEqualTo(3);
        assertThat(FrameType.fromCode(4)).isNull();
        assertThat(FrameType.fromCode(-1)).isNull();
        assertThat(FrameHeader.SIZE).isEqualTo(12);
        assertThat(FrameHeader.INITIAL_STREAM_WINDOW).isEqualTo(262_144);
    }

    @Test
    void flagsHaveTheSpecBitsAndReadableNames() {
        assertThat(new int[] {Flags.SYN, Flags.ACK, Flags.FIN, Flags.RST}).containsExactly(1, 2, 4, 8);
        assertThat(Flags.toString(0)).isEqualTo("0");
        assertThat(Flags.toString(Flags.SYN | Flags.FIN)).isEqualTo("SYN|FIN");
        assertThat(Flags.toString(Flags.ACK | Flags.FIN | 0x100)).isEqualTo("ACK|FIN|0x100");
        assertThat(Flags.toString(0x8000)).isEqualTo("0x8000");
        assertThat(Flags.has(Flags.ACK | Flags.FIN, Flags.FIN)).isTrue();
        assertThat(Flags.has(Flags.ACK, Flags.ACK | Flags.FIN)).isFalse();
    }

    @Test
    void goAwayCodesAreDescribed() {
        assertThat(GoAwayCodes.describe(0)).isEqualTo("normal");
        assertThat(GoAwayCodes.describe(1)).isEqualTo("protocol error");
        assertThat(GoAwayCodes.describe(2)).isEqualTo("internal error");
        assertThat(GoAwayCodes.describe(-1)).isEqualTo("code 4294967295");
    }

    @Test
    void toStringShowsTypeStreamFlagsAndLength() {
        assertThat(FrameHeader.data(-1, Flags.SYN | Flags.FIN, 1024))
                .hasToString("DATA stream=4294967295 flags=SYN|FIN length=1024");
        assertThat(FrameHeader.goAway(1)).hasToString("GO_AWAY stream=0 flags=0 length=1");
    }
}

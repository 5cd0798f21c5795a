package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Weft stream preamble codec (docs/preamble.md). */
@Timeout(10)
class PreambleTest {

    @ParameterizedTest
    @ValueSource(strings = {"db.internal:5432", "10.0.0.7:22", "[::1]:8080", "[2001:db8::1]:443", "h:1"})
    void requestsRoundTripAndEveryPrefixAsksForMore(String text) throws Exception {
        Destination d = ForwardSpec.parse("1:" + text).target();
        byte[] request = Preamble.request(d);
        for (int n = 0; n < request.length; n++) {
            ByteBuffer prefix = ByteBuffer.wrap(request, 0, n);
            assertThat(Preamble.decodeRequest(prefix)).as("prefix %d", n).isNull();
            assertThat(prefix.position()).isZero();
        }
        assertThat(Preamble.decodeRequest(ByteBuffer.wrap(request))).isEqualTo(d);
    }

    @Test
    void theWireBytesAreTheSpecs() {
        assertThat(Preamble.request(new Destination("10.0.0.7", 22)))
                .containsExactly(0xF7, 'W', 'F', 1, 1, 1, 10, 0, 0, 7, 0, 22);
        assertThat(Preamble.request(new Destination("db", 5432)))
                .containsExactly(0xF7, 'W', 'F', 1, 1, 3, 2, 'd', 'b', 0x15, 0x38);
        assertThat(Preamble.reply(Preamble.Status.NOT_ALLOWED)).containsExactly(0xF7, 'W', 'F', 1, 1);
    }

    @Test
    void aPlainStreamIsRecognisedAtItsFirstByte() {
        assertThatThrownBy(() -> Preamble.decodeRequest(ByteBuffer.wrap("G".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(PreambleException.NotAPreamble.class)
                .hasMessageContaining("starts with \"G\"");
        assertThatThrownBy(() -> Preamble.decodeReply(ByteBuffer.wrap("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(PreambleException.NotAPreamble.class)
                .hasMessageContaining("SSH-2.0-OpenSSH_")
                .hasMessageNotContaining("\r");
    }

    @Test
    void anotherVersionOrCommandIsUnsupported() {
        assertThatThrownBy(() -> Preamble.decodeRequest(ByteBuffer.wrap(new byte[] {(byte) 0xF7, 'W', 'F', 2})))
                .isInstanceOfSatisfying(PreambleException.class,
                        e -> assertThat(e.status()).isEqualTo(Preamble.Status.UNSUPPORTED))
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> Preamble.decodeRequest(ByteBuffer.wrap(new byte[] {(byte) 0xF7, 'W', 'F', 1, 9})))
                .isInstanceOfSatisfying(PreambleException.class,
                        e -> assertThat(e.status()).isEqualTo(Preamble.Status.UNSUPPORTED));
        assertThatThrownBy(() -> Preamble.decodeRequest(ByteBuffer.wrap(new byte[] {(byte) 0xF7, 'W', 'F', 1, 1, 7})))
                .isInstanceOfSatisfying(PreambleException.class,
                        e -> assertThat(e.status()).isEqualTo(Preamble.Status.UNSUPPORTED));
    }

    @Test
    void repliesDecodeAndUnknownStatusesAreFailures() throws Exception {
        for (Preamble.Status s : Preamble.Status.values()) {
            assertThat(Preamble.decodeReply(ByteBuffer.wrap(Preamble.reply(s)))).isEqualTo(s);
        }
        assertThat(Preamble.decodeReply(ByteBuffer.wrap(new byte[] {(byte) 0xF7, 'W', 'F', 1, (byte) 200})))
                .isEqualTo(Preamble.Status.FAILURE);
        ByteBuffer withData = ByteBuffer.wrap(new byte[] {(byte) 0xF7, 'W', 'F', 1, 0, 'h', 'i'});
        assertThat(Preamble.decodeReply(withData)).isEqualTo(Preamble.Status.OK);
        assertThat(withData.remaining()).as("the target's first bytes stay for the connection").isEqualTo(2);
        assertThat(Preamble.Status.NOT_ALLOWED.socksReply()).isEqualTo(2);
        assertThat(Preamble.Status.REFUSED.socksReply()).isEqualTo(5);
    }

    @Test
    void theLongestRequestFitsTheCap() {
        String name = "a".repeat(255);
        assertThat(Preamble.request(new Destination(name, 1))).hasSize(Preamble.MAX_REQUEST_BYTES);
        assertThatThrownBy(() -> new Destination("a".repeat(256), 1)).hasMessageContaining("255");
    }
}

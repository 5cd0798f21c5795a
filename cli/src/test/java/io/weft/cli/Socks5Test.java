package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SOCKS5 codec byte for byte, including what a hostile or broken client sends. */
@Timeout(10)
class Socks5Test {

    private static ByteBuffer bytes(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length);
        for (int v : values) {
            b.put((byte) v);
        }
        return b.flip();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Every strict prefix of {@code message} decodes to "need more" without moving the position. */
    private static void assertEveryPrefixNeedsMore(byte[] message, MessageIo.Decoder<?> decoder) throws Exception {
        for (int n = 0; n < message.length; n++) {
            ByteBuffer prefix = ByteBuffer.wrap(message, 0, n);
            assertThat(decoder.decode(prefix)).as("prefix of %d bytes", n).isNull();
            assertThat(prefix.position()).as("position after a %d-byte prefix", n).isZero();
        }
    }

    @Test
    void greetingListsTheOfferedMethods() throws Exception {
        ByteBuffer in = bytes(5, 2, 0, 2);
        Socks5.Greeting g = Socks5.decodeGreeting(in);
        assertThat(g.offers(Socks5.METHOD_NO_AUTH)).isTrue();
        assertThat(g.offers(Socks5.METHOD_USER_PASS)).isTrue();
        assertThat(g.offers(1)).isFalse();
        assertThat(in.remaining()).isZero();
    }

    @Test
    void shortReadsOfEveryMessageAskForMore() throws Exception {
        assertEveryPrefixNeedsMore(new byte[] {5, 3, 0, 1, 2}, Socks5::decodeGreeting);
        assertEveryPrefixNeedsMore(new byte[] {1, 3, 'b', 'o', 'b', 2, 'p', 'w'}, Socks5::decodeCredentials);
        assertEveryPrefixNeedsMore(new byte[] {5, 1, 0, 3, 4, 'h', 'o', 's', 't', 0, 80}, Socks5::decodeRequest);
        assertEveryPrefixNeedsMore(new byte[] {5, 1, 0, 1, 10, 0, 0, 1, 0, 80}, Socks5::decodeRequest);
        assertEveryPrefixNeedsMore(concat(new byte[] {5, 1, 0, 4}, new byte[16], new byte[] {0, 22}),
                Socks5::decodeRequest);
    }

    @Test
    void requestsDecodeAllThreeAddressTypes() throws Exception {
        assertThat(Socks5.decodeRequest(bytes(5, 1, 0, 1, 10, 1, 2, 3, 0x1f, 0x90)))
                .isEqualTo(new Destination("10.1.2.3", 8080));
        assertThat(Socks5.decodeRequest(bytes(5, 1, 0, 3, 9, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 0, 80)))
                .isEqualTo(new Destination("example.c", 80));
        byte[] v6 = new byte[16];
        v6[15] = 1;
        ByteBuffer in = ByteBuffer.wrap(concat(new byte[] {5, 1, 0, 4}, v6, new byte[] {0, 22}, new byte[] {'x'}));
        assertThat(Socks5.decodeRequest(in)).isEqualTo(new Destination("::1", 22));
        assertThat(in.remaining()).as("bytes after the request stay for the stream").isEqualTo(1);
    }

    @Test
    void otherCommandsAndAddressTypesAreRefusedWithTheirReplyCodes() {
        assertThatThrownBy(() -> Socks5.decodeRequest(bytes(5, 2, 0, 1, 1, 2, 3, 4, 0, 80)))
                .isInstanceOfSatisfying(Socks5Exception.class,
                        e -> assertThat(e.replyCode()).isEqualTo(Socks5.REP_COMMAND_NOT_SUPPORTED))
                .hasMessageContaining("BIND");
        assertThatThrownBy(() -> Socks5.decodeRequest(bytes(5, 3, 0, 1, 1, 2, 3, 4, 0, 80)))
                .isInstanceOfSatisfying(Socks5Exception.class,
                        e -> assertThat(e.replyCode()).isEqualTo(Socks5.REP_COMMAND_NOT_SUPPORTED))
                .hasMessageContaining("UDP ASSOCIATE");
        assertThatThrownBy(() -> Socks5.decodeRequest(bytes(5, 1, 0, 9, 1, 2, 3, 4, 0, 80)))
                .isInstanceOfSatisfying(Socks5Exception.class,
                        e -> assertThat(e.replyCode()).isEqualTo(Socks5.REP_ADDRESS_TYPE_NOT_SUPPORTED));
    }

    @Test
    void hostileNamesAreRefusedNotLoggedRaw() {
        assertThatThrownBy(() -> Socks5.decodeRequest(bytes(5, 1, 0, 3, 0, 0, 80)))
                .isInstanceOfSatisfying(Socks5Exception.class,
                        e -> assertThat(e.replyCode()).isEqualTo(Socks5.REP_GENERAL_FAILURE))
                .hasMessageContaining("empty host name");
        assertThatThrownBy(() -> Socks5.decodeRequest(bytes(5, 1, 0, 3, 3, 'a', '\n', 'b', 0, 80)))
                .isInstanceOf(Socks5Exception.class)
                .hasMessageContaining("a\\x0ab")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aHugeLengthByteNeverAsksForMoreThan255Bytes() throws Exception {
        // A name length of 255 with 3 bytes present: "need more", and the decoder allocated nothing yet.
        assertThat(Socks5.decodeRequest(bytes(5, 1, 0, 3, 255, 'a', 'b', 'c'))).isNull();
        byte[] name = new byte[255];
        java.util.Arrays.fill(name, (byte) 'a');
        ByteBuffer in = ByteBuffer.wrap(concat(new byte[] {5, 1, 0, 3, (byte) 255}, name, new byte[] {1, 0}));
        assertThat(Socks5.decodeRequest(in).host()).hasSize(255);
        assertThat(Socks5.MAX_MESSAGE_BYTES).isEqualTo(513);
    }

    @Test
    void wrongVersionsAreRefusedWithAHint() {
        assertThatThrownBy(() -> Socks5.decodeGreeting(bytes(4, 1, 0)))
                .isInstanceOfSatisfying(Socks5Exception.class,
                        e -> assertThat(e.replyCode()).isEqualTo(Socks5Exception.NO_REPLY))
                .hasMessageContaining("SOCKS4");
        assertThatThrownBy(() -> Socks5.decodeGreeting(ByteBuffer.wrap("GET / HTTP/1.1".getBytes(StandardCharsets.US_ASCII))))
                .hasMessageContaining("HTTP");
        assertThatThrownBy(() -> Socks5.decodeRequest(bytes(4, 1, 0, 1, 1, 2, 3, 4, 0, 80)))
                .isInstanceOf(Socks5Exception.class);
        assertThatThrownBy(() -> Socks5.decodeCredentials(bytes(2, 1, 'a', 1, 'b')))
                .hasMessageContaining("username/password version 2");
        assertThatThrownBy(() -> Socks5.decodeGreeting(bytes(5, 0)))
                .hasMessageContaining("no authentication method");
    }

    @Test
    void credentialsDecodeAndNeverPrint() throws Exception {
        Socks5.Credentials c = Socks5.decodeCredentials(bytes(1, 3, 'b', 'o', 'b', 2, 'p', 'w'));
        assertThat(new String(c.username(), StandardCharsets.UTF_8)).isEqualTo("bob");
        assertThat(new String(c.password(), StandardCharsets.UTF_8)).isEqualTo("pw");
        assertThat(c.toString()).doesNotContain("bob", "pw");
        assertThat(SocksUsers.of("bob", "pw", "eve", "x").accepts(c)).isTrue();
        assertThat(SocksUsers.of("bob", "pX").accepts(c)).isFalse();
        assertThat(SocksUsers.of("bo", "pw").accepts(c)).isFalse();
    }

    @Test
    void aPasswordKeepsItsSpacesFromTheFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("users");
        java.nio.file.Files.writeString(file, "# users\n  bob:pw  \n\n");
        SocksUsers users = SocksUsers.read(file);
        assertThat(users.accepts(new Socks5.Credentials("bob".getBytes(StandardCharsets.UTF_8),
                "pw  ".getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(users.accepts(new Socks5.Credentials("bob".getBytes(StandardCharsets.UTF_8),
                "pw".getBytes(StandardCharsets.UTF_8)))).isFalse();
    }

    @Test
    void repliesAreTheRfcBytes() {
        assertThat(Socks5.methodSelection(Socks5.METHOD_NONE_ACCEPTABLE)).containsExactly(5, 0xff);
        assertThat(Socks5.authReply(false)).containsExactly(1, 1);
        assertThat(Socks5.reply(Socks5.REP_NOT_ALLOWED)).containsExactly(5, 2, 0, 1, 0, 0, 0, 0, 0, 0);
    }
}

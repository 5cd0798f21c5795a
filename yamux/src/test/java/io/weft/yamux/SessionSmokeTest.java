package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SessionSmokeTest {

    @ParameterizedTest
    @EnumSource(SessionPair.Kind.class)
    void echoesOneStream(SessionPair.Kind kind) throws Exception {
        try (SessionPair pair = SessionPair.open(kind)) {
            Thread server = Thread.ofVirtual().start(() -> {
                try (Stream s = pair.server().acceptStream()) {
                    s.inputStream().transferTo(s.outputStream());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Stream stream = pair.client().openStream();
            stream.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
            stream.closeWrite();
            assertThat(new String(stream.inputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
            server.join();
        }
    }
}

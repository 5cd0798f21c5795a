package io.weft.netpoll;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NetSmokeTest {
    @Test
    void echoOverLoopbackTcp() throws Exception {
        try (Listener listener = Net.listen("tcp", "127.0.0.1:0")) {
            Thread server = Thread.ofVirtual().start(() -> {
                try (Conn conn = listener.accept()) {
                    conn.inputStream().transferTo(conn.outputStream());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Conn conn = Net.dial("tcp", listener.address().toString())) {
                conn.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
                conn.closeWrite();
                assertThat(new String(conn.inputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
            }
            server.join();
        }
    }
}

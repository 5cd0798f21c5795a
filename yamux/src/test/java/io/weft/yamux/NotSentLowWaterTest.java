package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import io.weft.netpoll.TcpConn;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A session over a netpoll TCP connection sets the configured {@code TCP_NOTSENT_LOWAT} where the backend can. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class NotSentLowWaterTest {

    @ParameterizedTest(name = "configured {0} bytes")
    @ValueSource(ints = {128 * 1024, 16 * 1024, 0})
    void aSessionOverTcpSetsTheConfiguredLowWaterMark(int bytes) throws Exception {
        YamuxConfig config = YamuxConfig.builder().notSentLowWaterBytes(bytes).build();
        try (Listener listener = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Conn> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            TcpConn clientConn = (TcpConn) Net.dial("tcp", listener.address().toString());
            TcpConn serverConn = (TcpConn) accepted.get(10, TimeUnit.SECONDS);
            boolean supported = serverConn.setNotSentLowWaterBytes(0); // the server end stays without a session's setting
            try (Session client = Session.client(clientConn, config);
                    Session server = Session.server(serverConn, YamuxConfig.builder().notSentLowWaterBytes(0).build())) {
                assertThat(clientConn.notSentLowWaterBytes()).isEqualTo(supported ? bytes : 0);
                assertThat(serverConn.notSentLowWaterBytes()).isZero();
                Stream stream = client.openStream();
                stream.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                ByteBuffer in = ByteBuffer.allocate(3);
                Stream accepted2 = server.acceptStream();
                while (in.hasRemaining()) {
                    accepted2.read(in);
                }
                assertThat(in.array()).containsExactly(1, 2, 3);
            }
        }
    }
}

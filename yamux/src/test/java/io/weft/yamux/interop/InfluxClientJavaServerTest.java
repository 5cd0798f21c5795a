package io.weft.yamux.interop;

import static io.weft.yamux.interop.InteropSupport.TIMEOUT;
import static io.weft.yamux.interop.InteropSupport.echo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.RemoteGoAwayException;
import io.weft.yamux.Stream;
import io.weft.yamux.YamuxConfig;
import io.weft.yamux.interop.GoPeer.Library;
import io.weft.yamux.interop.InteropSupport.JavaServer;
import io.weft.yamux.interop.InteropSupport.SessionHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Debian's influxdata/yamux fork (Go) as the client of a Weft echo server: the shared
 * {@link PeerClientSuite} cases (its echo-client writes, reads the echo, then closes: this
 * library's streams cannot read after their own close) plus GoAway both ways.
 */
class InfluxClientJavaServerTest extends PeerClientSuite {

    @Override
    GoPeer startClient(String mode, String... args) throws IOException {
        return GoPeer.start(Library.INFLUXDATA, mode, args);
    }

    @Test
    @Timeout(30)
    void weftGoAwayRefusesInfluxsNewOpensWhileTheOpenStreamContinues() throws Exception {
        SessionHandler goAwayAfterFirstStream = (session, server) -> {
            Stream first = session.acceptStream(TIMEOUT);
            session.goAway();
            echo(first);
            assertThat(session.awaitClose(TIMEOUT)).as("session closes after its last stream").isTrue();
        };
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), goAwayAfterFirstStream)) {
            assertThat(runClient(server, "goaway-recv", "-bytes", "100000"))
                    .containsEntry("remoteGoAway", "true").containsEntry("existingStreamWorked", "true");
        }
    }

    @Test
    @Timeout(30)
    void influxGoAwayRefusesWeftsNewOpensWhileTheOpenStreamContinues() throws Exception {
        int bytes = 100_000;
        CompletableFuture<RemoteGoAwayException> refused = new CompletableFuture<>();
        SessionHandler checkOpensWhileEchoing = (session, server) -> {
            Stream first = session.acceptStream(TIMEOUT);
            first.setReadDeadline(Instant.now().plus(TIMEOUT));
            first.write(ByteBuffer.wrap(first.inputStream().readNBytes(bytes)));
            await().atMost(TIMEOUT).until(() -> {
                try {
                    session.openStream().reset(); // no GoAway yet: the peer queues this stream; drop it
                    return false;
                } catch (RemoteGoAwayException e) {
                    refused.complete(e);
                    return true;
                }
            });
            first.write(ByteBuffer.wrap(first.inputStream().readNBytes(bytes))); // the stream goes on
            first.closeWrite();
            assertThat(first.inputStream().readAllBytes()).isEmpty();
        };
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), checkOpensWhileEchoing)) {
            assertThat(runClient(server, "goaway-send", "-bytes", String.valueOf(bytes)))
                    .containsEntry("existingStreamWorked", "true");
            assertThat(refused.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).code()).isZero();
        }
    }
}

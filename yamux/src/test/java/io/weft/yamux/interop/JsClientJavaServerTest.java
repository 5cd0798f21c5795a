package io.weft.yamux.interop;

import static io.weft.yamux.interop.InteropSupport.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.RemoteGoAwayException;
import io.weft.yamux.Stream;
import io.weft.yamux.YamuxConfig;
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
 * The JavaScript {@code @chainsafe/libp2p-yamux} ({@link JsPeer}) as the client of a Weft echo
 * server: the shared {@link PeerClientSuite} cases (its echo-client half-closes each stream and
 * reads the echo to the end) plus GoAway both ways.
 */
class JsClientJavaServerTest extends PeerClientSuite {

    @Override
    GoPeer startClient(String mode, String... args) throws IOException {
        return JsPeer.start(mode, args);
    }

    /**
     * This library does not bound un-ACKed opens (hashicorp and Weft wait at 256), and Weft ACKs a
     * stream when the application accepts it: 1,000 opens at once overflow a default accept
     * backlog of 256, and Weft refuses the streams beyond it with RST (as hashicorp's server does).
     * So this server queues up to 1,000.
     */
    @Override
    YamuxConfig thousandStreamsServerConfig() {
        return YamuxConfig.builder().acceptBacklog(1000).maxInboundStreams(2000).build();
    }

    @Test
    @Timeout(30)
    void weftGoAwayEndsTheJsSession() throws Exception {
        int bytes = 100_000;
        SessionHandler goAwayAfterTheFirstEcho = (session, server) -> {
            Stream first = session.acceptStream(TIMEOUT);
            first.setReadDeadline(Instant.now().plus(TIMEOUT));
            first.write(ByteBuffer.wrap(first.inputStream().readNBytes(bytes)));
            session.goAway();
            assertThat(session.awaitClose(TIMEOUT)).as("session ends when the JS client goes").isTrue();
        };
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), goAwayAfterTheFirstEcho)) {
            // The library refuses new streams at once and closes the open one locally.
            assertThat(runClient(server, "goaway-recv", "-bytes", String.valueOf(bytes)))
                    .containsEntry("remoteGoAway", "true").containsEntry("code", "0")
                    .containsEntry("firstEchoVerified", "true").containsEntry("openAfterGoAway", "MuxerClosedError")
                    .containsEntry("writeAfterGoAway", "StreamStateError").containsEntry("streamStatus", "closed");
        }
    }

    @Test
    @Timeout(30)
    void jsGoAwayRefusesWeftsNewOpensAfterItFinsTheOpenStream() throws Exception {
        int bytes = 100_000;
        CompletableFuture<RemoteGoAwayException> refused = new CompletableFuture<>();
        SessionHandler checkOpensAfterTheEcho = (session, server) -> {
            Stream first = session.acceptStream(TIMEOUT);
            first.setReadDeadline(Instant.now().plus(TIMEOUT));
            first.write(ByteBuffer.wrap(first.inputStream().readNBytes(bytes)));
            // The client closes its muxer now: FIN on stream 1, then GoAway(0).
            assertThat(first.inputStream().readAllBytes()).isEmpty();
            await().atMost(TIMEOUT).until(() -> {
                try {
                    session.openStream().reset(); // sent before the GoAway arrived: drop it
                    return false;
                } catch (RemoteGoAwayException e) {
                    refused.complete(e);
                    return true;
                }
            });
            first.closeWrite();
        };
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), checkOpensAfterTheEcho)) {
            assertThat(runClient(server, "goaway-send", "-bytes", String.valueOf(bytes)))
                    .containsEntry("sentGoAway", "true").containsEntry("existingStreamEnded", "true");
            assertThat(refused.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).code()).isZero();
        }
    }
}

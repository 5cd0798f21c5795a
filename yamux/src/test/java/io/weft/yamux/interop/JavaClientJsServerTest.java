package io.weft.yamux.interop;

import static io.weft.yamux.interop.InteropSupport.TIMEOUT;
import static io.weft.yamux.interop.InteropSupport.assertGoAwayRefusesOpens;
import static io.weft.yamux.interop.InteropSupport.echoRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.DeadlineExceededException;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Weft as the client, the JavaScript {@code @chainsafe/libp2p-yamux} as the echo server ({@link
 * JsPeer}): the shared {@link PeerServerSuite} cases plus GoAway both ways, where this library
 * differs from hashicorp's: it sends GoAway only when its muxer closes (after FINning its
 * streams), and treats a GoAway(0) it receives as the end of the connection.
 */
class JavaClientJsServerTest extends PeerServerSuite {

    private GoPeer server; // the last one started

    @Override
    String startEchoServer(String... flags) throws IOException {
        server = JsPeer.startServer("echo", flags);
        resources.add(server);
        return server.address();
    }

    @Test
    @Timeout(30)
    void jsGoAwayAfterItsFirstStreamRefusesWeftsNewOpens() throws Exception {
        // -goaway: once stream 1 has ended both ways the JS server closes its muxer: GoAway(0).
        Session session = dial(echoServer("-goaway"), YamuxConfig.defaults());
        echoRoundTrip(session.openStream(), 100_000, 1, executor);
        assertGoAwayRefusesOpens(session, true);
        assertThat(session.stats().goAwayCodeReceived()).isZero();
    }

    @Test
    @Timeout(30)
    void weftGoAwayEndsTheJsSessionAtOnceAndItsOpenStreamWithIt() throws Exception {
        // hashicorp keeps serving open streams after GoAway(0); this library ends them on receipt
        // (without FIN or RST): an echo already running stops answering, and only Weft's drain
        // timeout ends the session.
        Session session = dial(echoServer(), YamuxConfig.builder().goAwayDrainTimeout(Duration.ofSeconds(1)).build());
        Stream stream = session.openStream();
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        stream.write(ByteBuffer.wrap("a".getBytes()));
        assertThat(stream.inputStream().read()).isEqualTo('a');
        session.goAway();
        await().atMost(TIMEOUT).until(() -> server.stdout().contains("goaway-received 0"));
        stream.write(ByteBuffer.wrap("b".getBytes()));
        stream.setReadDeadline(Instant.now().plusMillis(300));
        assertThatThrownBy(() -> stream.read(ByteBuffer.allocate(1))).isInstanceOf(DeadlineExceededException.class);
        assertThat(session.stats().goAwayCodeSent()).isZero();
        assertThat(session.awaitClose(TIMEOUT)).as("the drain timeout closes the session").isTrue();
    }
}

package io.weft.yamux.interop;

import static io.weft.yamux.interop.InteropSupport.TIMEOUT;
import static io.weft.yamux.interop.InteropSupport.assertGoAwayRefusesOpens;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import io.weft.yamux.YamuxConfig;
import io.weft.yamux.interop.GoPeer.Library;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Weft as the client, Debian's influxdata/yamux fork (Go, a 2017 snapshot of hashicorp/yamux) as
 * the echo server: the shared {@link PeerServerSuite} cases plus GoAway both ways.
 */
class JavaClientInfluxServerTest extends PeerServerSuite {

    @Override
    String startEchoServer(String... flags) throws IOException {
        GoPeer peer = GoPeer.startServer(Library.INFLUXDATA, "echo", flags);
        resources.add(peer);
        return peer.address();
    }

    @Test
    @Timeout(30)
    void influxGoAwayRefusesNewOpensWhileTheOpenStreamContinues() throws Exception {
        Session session = dial(echoServer("-goaway"), YamuxConfig.defaults());
        Stream first = session.openStream();
        first.setReadDeadline(Instant.now().plus(TIMEOUT));
        first.write(ByteBuffer.wrap("one".getBytes()));
        assertThat(new String(first.inputStream().readNBytes(3))).isEqualTo("one");
        assertGoAwayRefusesOpens(session, false);
        first.write(ByteBuffer.wrap("two".getBytes()));
        assertThat(new String(first.inputStream().readNBytes(3))).isEqualTo("two");
        first.closeWrite();
        assertThat(first.inputStream().readAllBytes()).isEmpty();
    }

    @Test
    @Timeout(30)
    void weftGoAwayLetsTheOpenStreamFinishThenClosesTheSession() throws Exception {
        Session session = dial(echoServer(), YamuxConfig.defaults());
        Stream stream = session.openStream();
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        stream.write(ByteBuffer.wrap("a".getBytes()));
        assertThat(stream.inputStream().read()).isEqualTo('a');
        session.goAway();
        stream.write(ByteBuffer.wrap("b".getBytes()));
        assertThat(stream.inputStream().read()).isEqualTo('b');
        stream.closeWrite();
        assertThat(stream.inputStream().readAllBytes()).isEmpty();
        assertThat(session.awaitClose(TIMEOUT)).as("session closes after its last stream").isTrue();
        assertThat(session.stats().goAwayCodeSent()).isZero();
    }
}

package io.weft.yamux.protocol;

import static io.weft.yamux.protocol.RawPeer.ACK;
import static io.weft.yamux.protocol.RawPeer.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import io.weft.yamux.StreamsExhaustedException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Running out of stream ids fails new opens only. Reaching the end of the id space takes 2^31
 * opens, so the test moves the session's next id close to it: 2^32 − 5, a few ids before the
 * end (Go's yamux returns ErrStreamsExhausted from 2^32 − 2). There is no public hook, so this
 * reaches into the session's id counter by reflection; if that field is renamed the test fails
 * and says so.
 */
class StreamIdExhaustionTest extends RawPeerTestBase {

    private static final long NEAR_THE_END = 0xFFFF_FFFBL; // odd: a client id

    private static void setNextStreamId(Session session, long id) throws ReflectiveOperationException {
        Field next;
        try {
            next = Session.class.getDeclaredField("nextStreamId");
        } catch (NoSuchFieldException e) {
            throw new AssertionError("the test hook needs Session.nextStreamId (a long); it was renamed", e);
        }
        next.setAccessible(true);
        next.setLong(session, id);
    }

    @Test
    void exhaustedIdsFailNewOpensWhileExistingStreamsKeepWorking() throws Exception {
        weftClient(strict().build());
        setNextStreamId(session, NEAR_THE_END);
        Stream first = session.openStream();
        Stream second = session.openStream();
        assertThat(Integer.toUnsignedLong(first.id())).isEqualTo(0xFFFF_FFFBL);
        assertThat(Integer.toUnsignedLong(second.id())).isEqualTo(0xFFFF_FFFDL);
        assertThatThrownBy(() -> session.openStream()).isInstanceOf(StreamsExhaustedException.class);
        assertThatThrownBy(() -> session.openStream()).isInstanceOf(StreamsExhaustedException.class);
        assertThat(session.isClosed()).isFalse();

        // The streams that exist go on in both directions, ids carried unsigned on the wire.
        peer.await("SYN of the last stream", f -> f.has(SYN) && f.streamId() == 0xFFFF_FFFDL);
        peer.windowUpdate(ACK, 0xFFFF_FFFBL, 0);
        first.write(ByteBuffer.wrap("top".getBytes()));
        assertThat(peer.readData(0xFFFF_FFFBL, 3, null)).isEqualTo("top".getBytes());
        peer.sendData(0, 0xFFFF_FFFBL, "back".getBytes());
        first.setReadDeadline(Instant.now().plus(TIMEOUT));
        assertThat(new String(first.inputStream().readNBytes(4))).isEqualTo("back");

        // Inbound streams are unaffected.
        peer.windowUpdate(SYN, 2, 0);
        assertThat(result(async(() -> session.acceptStream())).id()).isEqualTo(2);
        peer.assertAlive(3);
    }
}

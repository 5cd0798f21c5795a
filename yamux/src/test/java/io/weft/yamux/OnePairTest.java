package io.weft.yamux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * Base of the leader tests that each open one {@link SessionPair} into {@link #pair}: closes it
 * after every test, and gives them one patience for their waits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class OnePairTest {
    /** How long a test waits for something that should happen at once. */
    static final Duration PATIENCE = Duration.ofSeconds(10);

    /** The pair under test, or null before the test opened it. */
    SessionPair pair;

    /**
     * Opens {@link #pair} with keepalive off (no frame arrives unless the test sends one) and two
     * client streams, each announced by one byte (1 and 2, unread) and accepted.
     *
     * @return the client's two streams and the server's ends of them
     */
    QuietStreams twoQuietStreams(SessionPair.Kind kind) throws IOException {
        YamuxConfig quiet = SessionPair.testConfig().keepAliveEnabled(false).build();
        pair = SessionPair.open(kind, quiet, quiet);
        Stream first = pair.client().openStream();
        Stream second = pair.client().openStream();
        first.write(ByteBuffer.wrap(new byte[] {1}));
        second.write(ByteBuffer.wrap(new byte[] {2}));
        return new QuietStreams(first, second, pair.server().acceptStream(), pair.server().acceptStream());
    }

    /** What {@link #twoQuietStreams} opened: the client's streams and the server's ends, in order. */
    record QuietStreams(Stream first, Stream second, Stream firstServer, Stream secondServer) {
    }

    @AfterEach
    void closePair() {
        if (pair != null) {
            pair.close();
        }
    }
}

package io.weft.yamux;

import io.weft.netpoll.Conn;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the tests that run a Weft {@link #client} session over loopback TCP against a
 * {@link #raw} connection the test reads and writes frames on itself: closes both after every test.
 */
abstract class RawTcpClientTest {
    /** The session under test, or null before the test made it. */
    Session client;
    /** The far end of the client's connection, or null before the test made it. */
    Conn raw;

    @AfterEach
    void closeClientAndRaw() throws IOException {
        if (client != null) {
            client.close();
        }
        if (raw != null) {
            raw.close();
        }
    }
}

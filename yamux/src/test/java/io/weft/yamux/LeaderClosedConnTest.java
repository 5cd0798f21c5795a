package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A platform-thread caller about to lead ({@link SessionReader#lead}) finds the connection
 * already closed under it by the session's own close (the session failed after the caller last
 * looked): its read ends with the session's error, as every blocked call's does, not with the
 * connection's "closed" error from setting the read deadline.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LeaderClosedConnTest extends RawTcpClientTest {
    /** One read's deadline: long enough to lead, short enough to ask again if it did not. */
    private static final Duration ATTEMPT = Duration.ofSeconds(1);

    private Conn clientConn;

    @Test
    void aLeaderThatFindsTheConnectionClosedBySessionCloseGetsTheSessionsError() throws Exception {
        Conn[] conns = SessionPair.tcpLoopback();
        clientConn = conns[0];
        raw = conns[1];
        Thread caller = Thread.currentThread();
        Conn hooked = new DelegatingConn(clientConn) {
            private boolean armed = true;

            @Override
            public void setReadDeadline(Instant deadline) throws IOException {
                if (armed && deadline != null && !deadline.equals(Instant.EPOCH) && Thread.currentThread() == caller) {
                    // The session closes between the caller's look at it and its lead, and the
                    // writer thread has closed the connection by the time the leader sets its deadline.
                    armed = false;
                    client.close();
                    clientConn.close();
                }
                super.setReadDeadline(deadline);
            }
        };
        client = Session.client(hooked, SessionPair.testConfig().keepAliveEnabled(false).build());
        Thread.ofVirtual().start(() -> { // drops what the client sends
            ByteBuffer sink = ByteBuffer.allocate(4096);
            try {
                while (raw.read(sink.clear()) > 0) {
                    // dropped
                }
            } catch (IOException e) {
                // closed
            }
        });
        raw.write(ByteBuffer.wrap(FrameHeader.windowUpdate(2, Flags.SYN, 0).toBytes()));
        Stream mine = client.acceptStream();
        assertThat(client.reader().mayLead()).isTrue();

        // The reader thread hands the role over on the caller's request; the lead that follows
        // sets the stream's deadline on the connection. A caller that misses the hand-off (the
        // reader thread took the role back before it waited) waits for the reader thread instead,
        // so each attempt has a deadline and the caller asks again.
        ByteBuffer dst = ByteBuffer.allocate(16);
        IOException failure = null;
        while (failure == null) {
            mine.setReadDeadline(Instant.now().plus(ATTEMPT));
            try {
                mine.read(dst.clear());
            } catch (DeadlineExceededException e) {
                // did not lead this time: again
            } catch (IOException e) {
                failure = e;
            }
        }
        assertThat(failure).isInstanceOf(SessionClosedException.class);
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Net;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link PeerCheck} on the server side, in process, against a client that writes raw yamux frames. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PeerCheckTest {

    /** A yamux ping request (SYN) carrying {@code opaque}: version 0, type 2, flags 1, stream 0. */
    private static ByteBuffer pingRequest(int opaque) {
        return ByteBuffer.allocate(12).put((byte) 0).put((byte) 2).putShort((short) 1).putInt(0).putInt(opaque).flip();
    }

    @Test
    void aClientRepeatingAConflictingAnnouncementGetsOneAnswerAndOneWarning() throws Exception {
        RecordingLogger log = new RecordingLogger();
        PeerCheck check = new PeerCheck(TunnelRole.exit("--to"), Duration.ofSeconds(5), log);
        Net.Pipe pipe = Net.pipe();
        Session server = Session.server(pipe.second(), check.install(YamuxConfig.defaults()));
        Conn client = pipe.first();
        AtomicInteger pingsFromServer = new AtomicInteger();
        Thread reader = Thread.ofVirtual().start(() -> readFrames(client, pingsFromServer));
        try {
            int twoExits = TunnelRole.exit("--to").announcement();
            ByteBuffer flood = ByteBuffer.allocate(12 * 50);
            for (int i = 0; i < 50; i++) {
                flood.put(pingRequest(twoExits));
            }
            client.write(flood.flip());
            await().atMost(Duration.ofSeconds(10)).until(server::isClosed);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(log.count(System.Logger.Level.WARNING)).as("warnings").isEqualTo(1));
            assertThat(pingsFromServer.get()).as("announcement pings the server sent back").isLessThanOrEqualTo(1);
        } finally {
            server.close();
            client.close();
            reader.join();
        }
    }

    /** Reads frames until EOF; counts ping requests (the server's own announcements); answers none. */
    private static void readFrames(Conn conn, AtomicInteger pingRequests) {
        ByteBuffer header = ByteBuffer.allocate(12);
        try {
            while (true) {
                header.clear();
                while (header.hasRemaining()) {
                    if (conn.read(header) < 0) {
                        return;
                    }
                }
                int type = header.get(1);
                int flags = header.getShort(2);
                int length = header.getInt(8);
                if (type == 2 && (flags & 1) != 0) {
                    pingRequests.incrementAndGet();
                }
                if (type == 0 && length > 0) {
                    ByteBuffer body = ByteBuffer.allocate(length);
                    while (body.hasRemaining() && conn.read(body) >= 0) {
                        // skip data
                    }
                }
            }
        } catch (java.io.IOException e) {
            // closed
        }
    }
}

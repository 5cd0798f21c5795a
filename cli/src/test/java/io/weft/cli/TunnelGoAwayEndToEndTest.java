package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code weft tunnel --connect} facing a yamux server (in this JVM) that says GoAway(0) and
 * drains (issue 13, defect 14): connections made during the drain must go over a fresh session,
 * not be reset by the going-away one, and the stream already open must go on.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TunnelGoAwayEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void connectionsMadeWhileThePeerDrainsAfterGoAwayGoOverAFreshSession() throws Exception {
        List<Session> serverSessions = new CopyOnWriteArrayList<>();
        try (Listener listener = Net.listen("tcp", "127.0.0.1:0")) {
            Thread.ofVirtual().name("test yamux server").start(() -> {
                while (true) {
                    Conn conn;
                    try {
                        conn = listener.accept();
                    } catch (IOException e) {
                        return; // listener closed: the test is over
                    }
                    Session session = Session.server(conn, YamuxConfig.defaults());
                    serverSessions.add(session);
                    Thread.ofVirtual().start(() -> EchoService.serve(session));
                }
            });
            try (WeftProcess client = WeftProcess.start("tunnel", "--connect",
                    Address.of(listener.address()).address(), "--from", "127.0.0.1:0")) {
                String entry = client.awaitListening("entry:", TIMEOUT);
                try (Socket first = TcpPeers.connect(entry)) {
                    first.getOutputStream().write('a');
                    assertThat(first.getInputStream().read()).isEqualTo('a');
                    Session draining = serverSessions.get(0);

                    draining.goAway(); // the open stream keeps the session draining (30 s by default)
                    // The GoAway goes out before this ping, so the client has processed it once the reply is back.
                    draining.ping();

                    for (int i = 0; i < 20; i++) {
                        assertThat(TcpPeers.echoOnce(entry, 10_000, i)).as("connection %d during the drain", i)
                                .isEqualTo(10_000);
                    }
                    assertThat(draining.stats().streamsRefused()).as("streams the draining session refused").isZero();
                    assertThat(serverSessions).hasSizeGreaterThanOrEqualTo(2);

                    first.getOutputStream().write('b'); // the old session still carries its stream
                    assertThat(first.getInputStream().read()).isEqualTo('b');
                    assertThat(draining.isClosed()).isFalse();
                }
                Awaitility.await().atMost(TIMEOUT).until(() -> serverSessions.get(0).isClosed());
                assertThat(TcpPeers.echoOnce(entry, 10_000, 99)).isEqualTo(10_000);
                assertThat(client.stderr()).contains("going away");
            }
        } finally {
            for (Session session : serverSessions) {
                session.close();
            }
        }
    }
}

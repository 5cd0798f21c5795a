package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server's admission in process: handshakes run off the accept loop, stalled peers are cut
 * after the handshake timeout and leave no handshake (thread) behind, and good clients get
 * through meanwhile.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdmissionTest {

    /**
     * The server's bound on a handshake: short enough that the stalled peers are cut quickly, long
     * enough that the good client's first TLS handshake in this JVM (class loading, key agreement)
     * finishes on a loaded CI machine (400 ms failed there).
     */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration CLIENT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    @Test
    void stalledPeersAreCutAfterTheTimeoutWhileAGoodClientGetsThroughAndNoHandshakeStaysBehind() throws Exception {
        InProcessTls tls = InProcessTls.generate();
        Token token = Token.of("t0ken".getBytes(StandardCharsets.UTF_8));
        SessionSet sessions = new SessionSet();
        Admission admission = new Admission(Handshake.server(tls.server(HANDSHAKE_TIMEOUT), token, HANDSHAKE_TIMEOUT),
                YamuxConfig.defaults(), sessions, System.getLogger("io.weft.cli.test"));
        Listener listener = Net.listen("tcp", "127.0.0.1:0");
        String address = Address.of(listener.address()).address();
        CompletableFuture<Void> loop = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                admission.acceptLoop(listener, EchoService::serve);
                loop.complete(null);
            } catch (IOException e) {
                loop.completeExceptionally(e);
            }
        });
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = TcpPeers.connect(address);
                if (i % 2 == 1) {
                    s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x01, 0x00}); // half a record header's promise
                }
                stalled.add(s);
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> admission.inProgress() == 20);

            // While 20 handshakes hang, a good client gets through: the accept loop is free.
            Session client = Session.client(Handshake.client(tls.client(CLIENT_HANDSHAKE_TIMEOUT), "127.0.0.1", token,
                    CLIENT_HANDSHAKE_TIMEOUT).run(Net.dial("tcp", address, Duration.ofSeconds(5)), true), YamuxConfig.defaults());
            assertThat(client.ping()).isPositive();

            for (Socket s : stalled) {
                assertThat(closedByPeer(s.getInputStream())).isTrue();
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> admission.inProgress() == 0);
            client.close();
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
            sessions.beginDrain();
            listener.close();
        }
        loop.get(5, TimeUnit.SECONDS); // the loop ends quietly once draining
    }

    private static boolean closedByPeer(InputStream in) {
        try {
            in.transferTo(OutputStream.nullOutputStream());
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}

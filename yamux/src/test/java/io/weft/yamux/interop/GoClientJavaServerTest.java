package io.weft.yamux.interop;

import static io.weft.yamux.interop.InteropSupport.TIMEOUT;
import static io.weft.yamux.interop.InteropSupport.echo;
import static io.weft.yamux.interop.InteropSupport.echoEveryStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.RemoteGoAwayException;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import io.weft.yamux.YamuxConfig;
import io.weft.yamux.interop.InteropSupport.JavaServer;
import io.weft.yamux.interop.InteropSupport.SessionHandler;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** hashicorp/yamux (Go) as the client, Weft as the server. Go checks what it receives itself. */
class GoClientJavaServerTest {

    private static Map<String, String> runGo(JavaServer server, String mode, String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "-addr";
        all[1] = server.address();
        System.arraycopy(args, 0, all, 2, args.length);
        try (GoPeer client = GoPeer.start(mode, all)) {
            client.assertSucceeds(TIMEOUT);
            server.assertNoFailures();
            return client.jsonResult();
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {1, 65_536, 1 << 20, 64 << 20})
    void goEchoClientVerifiesEveryByteOnOneStream(long bytes) throws Exception {
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), echoEveryStream())) {
            assertThat(runGo(server, "echo-client", "-streams", "1", "-bytes", String.valueOf(bytes)))
                    .containsEntry("verified", "true");
        }
    }

    @Test
    void goEchoClientVerifiesAThousandConcurrentStreams() throws Exception {
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), echoEveryStream())) {
            assertThat(runGo(server, "echo-client", "-streams", "1000", "-bytes", "16384"))
                    .containsEntry("streams", "1000").containsEntry("verified", "true");
        }
    }

    @Test
    @Timeout(60)
    void goEchoClientVerifiesA256MiBStream() throws Exception {
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), echoEveryStream())) {
            assertThat(runGo(server, "echo-client", "-streams", "1", "-bytes", String.valueOf(256L << 20)))
                    .containsEntry("verified", "true");
        }
    }

    @Test
    void goEchoClientOverAJdkServerSocketChannel() throws Exception {
        try (JavaServer server = JavaServer.jdk(YamuxConfig.defaults(), echoEveryStream())) {
            assertThat(runGo(server, "echo-client", "-streams", "8", "-bytes", String.valueOf(1 << 20)))
                    .containsEntry("verified", "true");
        }
    }

    @Test
    void goPingsAreAnswered() throws Exception {
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), echoEveryStream())) {
            assertThat(runGo(server, "ping", "-count", "5")).containsEntry("pings", "5");
        }
    }

    @Test
    void sixtyFourConcurrentGoPingsAreAllAnswered() throws Exception {
        // Issue 13 defect 15: replies beyond pingBacklog (32) were dropped, and 32 of Go's pings
        // timed out after 10 s; a Go peer whose keepalive ping is dropped closes the session.
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), echoEveryStream())) {
            assertThat(runGo(server, "ping", "-count", "64", "-concurrent")).containsEntry("pings", "64");
            assertThat(runGo(server, "ping", "-count", "1000", "-concurrent")).containsEntry("pings", "1000");
        }
    }

    @Test
    void weftGoAwayRefusesGosNewOpensWhileTheOpenStreamContinues() throws Exception {
        SessionHandler goAwayAfterFirstStream = (session, server) -> {
            Stream first = session.acceptStream(TIMEOUT);
            session.goAway();
            echo(first);
            assertThat(session.awaitClose(TIMEOUT)).as("session closes after its last stream").isTrue();
        };
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), goAwayAfterFirstStream)) {
            assertThat(runGo(server, "goaway-recv", "-bytes", "100000"))
                    .containsEntry("remoteGoAway", "true").containsEntry("existingStreamWorked", "true");
        }
    }

    @Test
    void goGoAwayRefusesWeftsNewOpensWhileTheOpenStreamContinues() throws Exception {
        int bytes = 100_000;
        CompletableFuture<RemoteGoAwayException> refused = new CompletableFuture<>();
        SessionHandler checkOpensWhileEchoing = (session, server) -> {
            Stream first = session.acceptStream(TIMEOUT);
            first.setReadDeadline(Instant.now().plus(TIMEOUT));
            first.write(ByteBuffer.wrap(first.inputStream().readNBytes(bytes))); // echo before GoAway
            await().atMost(TIMEOUT).until(() -> {
                try {
                    session.openStream().reset(); // Go sent no GoAway yet: it queues this stream; drop it
                    return false;
                } catch (RemoteGoAwayException e) {
                    refused.complete(e);
                    return true;
                }
            });
            first.write(ByteBuffer.wrap(first.inputStream().readNBytes(bytes))); // the stream goes on
            first.closeWrite();
            assertThat(first.inputStream().readAllBytes()).isEmpty();
        };
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), checkOpensWhileEchoing)) {
            assertThat(runGo(server, "goaway-send", "-bytes", String.valueOf(bytes))).containsEntry("existingStreamWorked", "true");
            assertThat(refused.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).code()).isZero();
        }
    }

    @Test
    void weftRefusesStreamsBeyondItsAcceptBacklogWithReset() throws Exception {
        YamuxConfig backlogOfFour = YamuxConfig.builder().acceptBacklog(4).build();
        SessionHandler neverAccept = (session, server) -> assertThat(session.awaitClose(TIMEOUT)).isTrue();
        try (JavaServer server = JavaServer.netpoll(backlogOfFour, neverAccept)) {
            Map<String, String> result = runGo(server, "backlog", "-streams", "10", "-expect-reset", "6");
            assertThat(result).containsEntry("reset", "6").containsEntry("open", "4");
        }
    }

    @Test
    void weftHalfClosesWhileGoKeepsWritingAndWeftKeepsReading() throws Exception {
        long bytes = 300_000;
        SessionHandler halfCloser = (session, server) -> {
            Stream stream = session.acceptStream(TIMEOUT);
            stream.setReadDeadline(Instant.now().plus(TIMEOUT));
            byte[] first = stream.inputStream().readNBytes((int) bytes);
            assertThat(first).hasSize((int) bytes);
            stream.write(ByteBuffer.wrap(first));
            stream.closeWrite();
            // Go now reads our EOF and sends a second round, which we must still receive in full.
            byte[] second = stream.inputStream().readAllBytes();
            assertThat(second).hasSize((int) bytes);
            stream.close();
            session.close();
        };
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), halfCloser)) {
            assertThat(runGo(server, "halfclose-client", "-bytes", String.valueOf(bytes)))
                    .containsEntry("halfClose", "true");
        }
    }

    @Test
    void goCloseIsAHalfCloseForWeftButGoCannotReadAfterItsOwnClose() throws Exception {
        // Debian's 2019 hashicorp/yamux ends reads with EOF once it has closed a stream and nothing is
        // buffered, so the reply below may or may not reach Go. Weft's side is exact: all bytes,
        // then EOF, and writing after the peer's FIN is still allowed.
        long bytes = 200_000;
        CompletableFuture<Long> receivedByWeft = new CompletableFuture<>();
        SessionHandler replier = (session, server) -> {
            Stream stream = session.acceptStream(TIMEOUT);
            stream.setReadDeadline(Instant.now().plus(TIMEOUT));
            long total = 0;
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            int n;
            while ((n = stream.read(buf)) >= 0) {
                total += n;
                buf.clear();
            }
            receivedByWeft.complete(total);
            stream.write(ByteBuffer.wrap("done".getBytes()));
            stream.close();
            session.close();
        };
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), replier)) {
            Map<String, String> result = runGo(server, "close-then-read", "-bytes", String.valueOf(bytes));
            assertThat(receivedByWeft.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(bytes);
            assertThat(result.get("readAfterOwnClose")).isIn("0", "4");
            assertThat(result.get("readError")).isEqualTo("EOF");
        }
    }
}

package io.weft.yamux.interop;

import static io.weft.yamux.interop.InteropSupport.echoEveryStream;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.yamux.YamuxConfig;
import io.weft.yamux.interop.InteropSupport.JavaServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every other yamux implementation must do as the client of a Weft echo server: 1,000
 * concurrent streams, one 256 MiB stream, pings. The peer checks the echo's SHA-256 itself and
 * prints a JSON result. A subclass names the peer; GoAway, where peers differ, is tested there.
 */
abstract class PeerClientSuite {

    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(50);

    /** Starts the peer's client {@code mode} with {@code args} (which include {@code -addr}). */
    abstract GoPeer startClient(String mode, String... args) throws IOException;

    /**
     * The Weft server's configuration for 1,000 concurrent streams. Defaults here: a client that,
     * like hashicorp's and Weft's, waits once 256 opens are un-ACKed never overflows the accept
     * backlog of 256.
     */
    YamuxConfig thousandStreamsServerConfig() {
        return YamuxConfig.defaults();
    }

    Map<String, String> runClient(JavaServer server, String mode, String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "-addr";
        all[1] = server.address();
        System.arraycopy(args, 0, all, 2, args.length);
        try (GoPeer client = startClient(mode, all)) {
            client.assertSucceeds(CLIENT_TIMEOUT);
            server.assertNoFailures();
            return client.jsonResult();
        }
    }

    @Test
    @Timeout(60)
    void aThousandConcurrentStreamsEchoEveryByte() throws Exception {
        try (JavaServer server = JavaServer.netpoll(thousandStreamsServerConfig(), echoEveryStream())) {
            assertThat(runClient(server, "echo-client", "-streams", "1000", "-bytes", "16384"))
                    .containsEntry("streams", "1000").containsEntry("verified", "true");
        }
    }

    @Test
    @Timeout(60)
    void a256MiBStreamEchoesEveryByte() throws Exception {
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), echoEveryStream())) {
            assertThat(runClient(server, "echo-client", "-streams", "1", "-bytes", String.valueOf(256L << 20)))
                    .containsEntry("verified", "true");
        }
    }

    @Test
    @Timeout(30)
    void pingsAreAnswered() throws Exception {
        try (JavaServer server = JavaServer.netpoll(YamuxConfig.defaults(), echoEveryStream())) {
            assertThat(runClient(server, "ping", "-count", "5")).containsEntry("pings", "5");
        }
    }
}

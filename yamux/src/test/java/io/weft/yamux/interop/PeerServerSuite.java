package io.weft.yamux.interop;

import static io.weft.yamux.interop.InteropSupport.echoOnConcurrentStreams;
import static io.weft.yamux.interop.InteropSupport.echoRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Net;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every other yamux implementation must do with Weft as the client and itself as an echo
 * server: 1,000 concurrent half-closed streams, one 256 MiB stream, pings; every byte checked by
 * SHA-256. A subclass names the peer; GoAway, where peers differ, is tested there.
 */
abstract class PeerServerSuite {

    static final long BULK_BYTES = 256L << 20;
    static final Duration BULK_TIMEOUT = Duration.ofSeconds(50);

    final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    final List<AutoCloseable> resources = new ArrayList<>();

    /**
     * Starts the peer's echo server with extra flags (e.g. {@code -goaway}), registers it in
     * {@link #resources} to be closed after the test, and returns its {@code HOST:PORT}.
     */
    abstract String startEchoServer(String... flags) throws IOException;

    String echoServer(String... flags) throws IOException {
        return startEchoServer(flags);
    }

    Session dial(String address, YamuxConfig config) throws IOException {
        Session session = Session.client(Net.dial("tcp", address, Duration.ofSeconds(10)), config);
        resources.add(session);
        return session;
    }

    @AfterEach
    void closeAll() throws Exception {
        executor.shutdownNow();
        for (AutoCloseable r : resources.reversed()) {
            r.close();
        }
    }

    @Test
    @Timeout(60)
    void aThousandConcurrentHalfClosedStreamsEchoEveryByte() throws Exception {
        // Each stream: write 16 KiB, closeWrite, read the echo until the peer's FIN, compare SHA-256.
        Session session = dial(echoServer(), YamuxConfig.defaults());
        echoOnConcurrentStreams(session, 1000, 16 * 1024, executor);
        assertThat(session.isClosed()).isFalse();
        assertThat(session.stats().goAwayCodeReceived()).isEqualTo(-1);
    }

    @Test
    @Timeout(60)
    void a256MiBStreamEchoesEveryByte() throws Exception {
        Session session = dial(echoServer(), YamuxConfig.defaults());
        echoRoundTrip(session.openStream(), BULK_BYTES, 256, executor, BULK_TIMEOUT);
    }

    @Test
    @Timeout(30)
    void pingsAreAnswered() throws Exception {
        Session session = dial(echoServer(), YamuxConfig.defaults());
        for (int i = 0; i < 5; i++) {
            assertThat(session.ping()).isPositive().isLessThan(Duration.ofSeconds(5));
        }
        assertThat(session.stats().pingFramesIn()).isGreaterThanOrEqualTo(5);
    }
}

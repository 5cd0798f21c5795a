package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Poller;
import io.weft.netpoll.TcpConn;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where window auto-tuning takes its RTT from ({@link Session#tuningRttNanos}): the kernel's
 * minimum RTT of the TCP connection under the session when netpoll can read it, with no ping sent
 * for it; a probe ping otherwise.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TuningRttSourceTest {

    @Test
    void overEpollTcpTheKernelsMinimumRttServesAndNoProbeIsSent() throws Exception {
        YamuxConfig config = SessionPair.testConfig().keepAliveEnabled(false).build();
        Conn[] conns = SessionPair.tcpLoopback();
        try (SessionPair pair = new SessionPair(Session.client(conns[0], config), Session.server(conns[1], config))) {
            roundTrip(pair);
            assertThat(Poller.system().name()).as("this test runs on the epoll backend").isEqualTo("epoll");
            assertThat(((TcpConn) conns[0]).minRtt()).isPositive();

            long tuningNanos = pair.client().tuningRttNanos.getAsLong();

            assertThat(tuningNanos).isPositive().isLessThan(Duration.ofSeconds(1).toNanos());
            assertThat(pair.client().stats().pingFramesOut()).as("no probe ping").isZero();
        }
    }

    @Test
    void overAPipeAProbePingIsSent() throws Exception {
        YamuxConfig config = SessionPair.testConfig().keepAliveEnabled(false).build();
        try (SessionPair pair = SessionPair.open(SessionPair.Kind.PIPE, config, config)) {
            roundTrip(pair);
            assertThat(pair.client().stats().pingFramesOut()).as("no ping before tuning asks").isZero();

            // The first ask sends the probe; its reply may already be in when the ask returns (a
            // fast pipe), so what that ask returns is not asserted.
            pair.client().tuningRttNanos.getAsLong();

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> pair.client().tuningRttNanos.getAsLong() > 0);
            assertThat(pair.client().stats().pingFramesOut()).isPositive();
        }
    }

    private static void roundTrip(SessionPair pair) throws Exception {
        Stream client = pair.client().openStream();
        client.write(ByteBuffer.wrap(new byte[] {1}));
        Stream server = pair.server().acceptStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        assertThat(server.read(one)).isEqualTo(1);
        server.write(one.flip());
        assertThat(client.read(one.clear())).isEqualTo(1);
    }
}

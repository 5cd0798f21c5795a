package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Dialer;
import io.weft.netpoll.ListenConfig;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Poller;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 13, defect 13: TCP keep-alive on by default (15 s, as Go) on dialed and accepted conns, read back with getsockopt. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EpollKeepAliveTest {
    private static final Poller EPOLL = Poller.named("epoll");

    @Test
    void dialedAndAcceptedConnectionsHaveGosKeepAliveByDefault() throws Exception {
        try (Listener listener = EPOLL.listen("tcp", "127.0.0.1:0");
                Conn dialed = EPOLL.dial("tcp", listener.address().toString(), Duration.ofSeconds(5));
                Conn accepted = listener.accept()) {
            for (Conn conn : new Conn[] {dialed, accepted}) {
                assertKeepAlive((EpollTcpConn) conn, 15);
            }
        }
    }

    @Test
    void keepAliveIsConfigurableAndCanBeTurnedOff() throws Exception {
        try (Listener listener = new ListenConfig().withPoller(EPOLL).withKeepAlive(Duration.ofSeconds(-1))
                        .listen("tcp", "127.0.0.1:0");
                Conn dialed = new Dialer().withPoller(EPOLL).withKeepAlive(Duration.ofSeconds(40))
                        .dial("tcp", listener.address().toString());
                Conn accepted = listener.accept()) {
            assertKeepAlive((EpollTcpConn) dialed, 40);
            assertThat(((EpollTcpConn) accepted).option(LibC.SOL_SOCKET, LibC.SO_KEEPALIVE, "SO_KEEPALIVE")).isZero();
        }
    }

    private static void assertKeepAlive(EpollTcpConn conn, int seconds) throws Exception {
        assertThat(conn.option(LibC.SOL_SOCKET, LibC.SO_KEEPALIVE, "SO_KEEPALIVE")).isEqualTo(1);
        assertThat(conn.option(LibC.IPPROTO_TCP, LibC.TCP_KEEPIDLE, "TCP_KEEPIDLE")).isEqualTo(seconds);
        assertThat(conn.option(LibC.IPPROTO_TCP, LibC.TCP_KEEPINTVL, "TCP_KEEPINTVL")).isEqualTo(seconds);
    }
}

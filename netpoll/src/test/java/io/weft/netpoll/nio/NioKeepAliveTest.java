package io.weft.netpoll.nio;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Dialer;
import io.weft.netpoll.ListenConfig;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Poller;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 13, defect 13: TCP keep-alive on by default (15 s, as Go) on dialed and accepted conns, read back. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NioKeepAliveTest {
    private static final Poller NIO = Poller.named("nio");

    @Test
    void dialedAndAcceptedConnectionsHaveGosKeepAliveByDefault() throws Exception {
        try (Listener listener = NIO.listen("tcp", "127.0.0.1:0");
                Conn dialed = NIO.dial("tcp", listener.address().toString(), Duration.ofSeconds(5));
                Conn accepted = listener.accept()) {
            for (Conn conn : new Conn[] {dialed, accepted}) {
                assertKeepAlive((NioTcpConn) conn, 15);
            }
        }
    }

    @Test
    void keepAliveIsConfigurableAndCanBeTurnedOff() throws Exception {
        try (Listener listener = new ListenConfig().withPoller(NIO).withKeepAlive(Duration.ZERO).listen("tcp", "127.0.0.1:0");
                Conn dialed = new Dialer().withPoller(NIO).withKeepAlive(Duration.ofMillis(40_500))
                        .dial("tcp", listener.address().toString());
                Conn accepted = listener.accept()) {
            assertKeepAlive((NioTcpConn) dialed, 41); // rounded up to whole seconds
            assertThat(((NioTcpConn) accepted).option(StandardSocketOptions.SO_KEEPALIVE)).isFalse();
        }
    }

    private static void assertKeepAlive(NioTcpConn conn, int seconds) throws Exception {
        assertThat(conn.option(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
        assertThat(conn.option(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(seconds);
        assertThat(conn.option(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(seconds);
    }
}

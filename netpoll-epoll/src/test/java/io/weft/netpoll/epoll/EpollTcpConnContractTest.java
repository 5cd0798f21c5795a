package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Poller;
import io.weft.netpoll.TcpContractTest;
import org.junit.jupiter.api.Test;

/** The TCP connection contract (and the Conn contract under it) on the epoll poller. */
class EpollTcpConnContractTest extends TcpContractTest {

    @Override
    protected boolean setsNotSentLowWater() {
        return true;
    }

    @Override
    protected boolean reportsMinRtt() {
        return true;
    }

    @Override
    protected Poller poller() {
        return Poller.named("epoll");
    }

    @Test
    void bothEndsAreEpollConnsWithNoDelayOn() throws Exception {
        for (var conn : new io.weft.netpoll.Conn[] {c1, c2}) {
            assertThat(conn).isInstanceOf(EpollTcpConn.class);
            assertThat(((EpollTcpConn) conn).option(LibC.IPPROTO_TCP, LibC.TCP_NODELAY, "TCP_NODELAY")).isEqualTo(1);
        }
    }
}

package io.weft.netpoll.nio;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Poller;
import io.weft.netpoll.TcpContractTest;
import java.net.StandardSocketOptions;
import org.junit.jupiter.api.Test;

/** The TCP contract on the java.nio Selector poller. */
class NioTcpConnTest extends TcpContractTest {

    @Override
    protected boolean setsNotSentLowWater() {
        return false;
    }

    @Override
    protected boolean reportsMinRtt() {
        return false;
    }

    @Override
    protected Poller poller() {
        return Poller.named("nio");
    }

    @Test
    void noDelayIsOnByDefaultOnBothEnds() throws Exception {
        assertThat(((NioTcpConn) c1).option(StandardSocketOptions.TCP_NODELAY)).isTrue();
        assertThat(((NioTcpConn) c2).option(StandardSocketOptions.TCP_NODELAY)).isTrue();
    }
}

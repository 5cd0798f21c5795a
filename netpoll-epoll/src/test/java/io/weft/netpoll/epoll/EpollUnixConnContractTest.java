package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Poller;
import io.weft.netpoll.UnixContractTest;
import org.junit.jupiter.api.Test;

/** The unix-socket connection contract on the epoll poller. */
class EpollUnixConnContractTest extends UnixContractTest {

    @Override
    protected Poller poller() {
        return Poller.named("epoll");
    }

    @Test
    void bothEndsAreEpollConns() {
        assertThat(c1).isExactlyInstanceOf(EpollConn.class);
        assertThat(c2).isExactlyInstanceOf(EpollConn.class);
    }
}

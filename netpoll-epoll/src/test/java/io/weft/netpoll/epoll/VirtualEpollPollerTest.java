package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link EpollPollerTest} on a virtual-thread poller that parks on a {@link MasterPoller} when idle. */
class VirtualEpollPollerTest extends EpollPollerTest {
    private static MasterPoller master;
    private static int nextIndex;

    @BeforeAll
    static void startMaster() throws Exception {
        master = new MasterPoller("test-master", 64);
    }

    @Override
    protected EpollPoller newPoller(String name) throws Exception {
        return new EpollPoller(name, EpollPoller.Mode.VIRTUAL, master, nextIndex++);
    }

    @Override
    protected boolean virtual() {
        return true;
    }

    @Test
    void masterIsAPlatformDaemonThread() {
        assertThat(master.thread().isVirtual()).isFalse();
        assertThat(master.thread().isDaemon()).isTrue();
    }
}

package io.weft.netpoll.epoll;

/** {@link EpollPollerTest} on a platform thread alone, blocking in epoll_wait (no assistant). */
class PlatformEpollPollerTest extends EpollPollerTest {
    @Override
    protected EpollPoller newPoller(String name) throws Exception {
        return new EpollPoller(name, EpollPoller.Mode.PLATFORM, null, 0);
    }
}

package io.weft.netpoll.nio;

import io.weft.netpoll.Poller;
import io.weft.netpoll.UnixContractTest;

/** The unix-socket contract on the java.nio Selector poller. */
class NioUnixConnTest extends UnixContractTest {

    @Override
    protected Poller poller() {
        return Poller.named("nio");
    }
}

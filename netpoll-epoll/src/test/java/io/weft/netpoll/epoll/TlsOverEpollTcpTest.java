package io.weft.netpoll.epoll;

import io.weft.netpoll.Conn;
import io.weft.netpoll.ConnPair;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Poller;
import io.weft.netpoll.spi.Addresses;
import io.weft.netpoll.tls.TlsConnContractTest;

/** {@link io.weft.netpoll.tls.TlsConn} over TCP on the epoll poller. */
class TlsOverEpollTcpTest extends TlsConnContractTest {

    @Override
    protected ConnPair rawPair() throws Exception {
        Poller poller = Poller.named("epoll");
        Listener listener = poller.listen("tcp", "127.0.0.1:0");
        Conn dialed = poller.dial("tcp", Addresses.format(listener.address()));
        return new ConnPair(dialed, listener.accept(), listener);
    }
}

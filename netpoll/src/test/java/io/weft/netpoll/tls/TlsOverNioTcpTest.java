package io.weft.netpoll.tls;

import io.weft.netpoll.Conn;
import io.weft.netpoll.ConnPair;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Poller;
import io.weft.netpoll.spi.Addresses;

/** {@link TlsConn} over TCP on the java.nio poller. */
class TlsOverNioTcpTest extends TlsConnContractTest {

    @Override
    protected ConnPair rawPair() throws Exception {
        Poller poller = Poller.named("nio");
        Listener listener = poller.listen("tcp", "127.0.0.1:0");
        Conn dialed = poller.dial("tcp", Addresses.format(listener.address()));
        return new ConnPair(dialed, listener.accept(), listener);
    }
}

package io.weft.netpoll.nio;

import io.weft.netpoll.Conn;
import io.weft.netpoll.ConnContractTest;
import io.weft.netpoll.ConnPair;
import io.weft.netpoll.Listener;
import io.weft.netpoll.NetClosedException;
import io.weft.netpoll.spi.PollDescriptor;
import java.net.InetSocketAddress;

/**
 * The conn contract on the nio backend with platform poller threads, as it runs on JDK 21 and
 * off Linux (on Linux with JDK 25+ the default, which {@link NioTcpConnTest} covers, is virtual).
 */
class NioPlatformPollerConnTest extends ConnContractTest {
    /** One transport for the class: each would otherwise start its own poller threads. */
    private static final NioTransport transport = new NioTransport(false);

    @Override
    protected ConnPair connect() throws Exception {
        Listener listener = transport.listen("tcp", new InetSocketAddress("127.0.0.1", 0));
        Conn dialed = transport.dial("tcp", listener.address(), PollDescriptor.NO_DEADLINE);
        Conn accepted = listener.accept();
        return new ConnPair(dialed, accepted, listener);
    }

    @Override
    protected Class<NetClosedException> closedExceptionType() {
        return NetClosedException.class;
    }
}

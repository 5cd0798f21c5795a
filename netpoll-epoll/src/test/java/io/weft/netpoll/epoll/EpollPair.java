package io.weft.netpoll.epoll;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.spi.PollDescriptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A listener and one connection dialed to it and accepted, on the epoll backend. */
record EpollPair(Listener listener, Conn client, Conn server) implements AutoCloseable {
    static final EpollTransport TRANSPORT = new EpollTransport();

    static EpollPair tcp() throws Exception {
        return open("tcp", new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    }

    static EpollPair open(String network, SocketAddress address) throws Exception {
        Listener listener = TRANSPORT.listen(network, address);
        CompletableFuture<Conn> accepted = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                accepted.complete(listener.accept());
            } catch (Throwable t) {
                accepted.completeExceptionally(t);
            }
        });
        Conn client = TRANSPORT.dial(network, listener.address(), PollDescriptor.NO_DEADLINE);
        return new EpollPair(listener, client, accepted.get(10, TimeUnit.SECONDS));
    }

    @Override
    public void close() throws Exception {
        client.close();
        server.close();
        listener.close();
    }
}

package io.weft.yamux;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A connected client and server session over one transport, for tests. Closing it closes both.
 */
record SessionPair(Session client, Session server) implements AutoCloseable {

    /** The transports session tests run over. */
    enum Kind {
        PIPE, SOCKET_CHANNEL, NETPOLL_TCP, STREAM_PAIR
    }

    /**
     * A fast test configuration (after hashicorp's testConf: backlog 64, keepalive 100 ms). The
     * write/ping timeout is 5 s, not hashicorp's 250 ms: the shared CI machine can be loaded far
     * beyond its cores, and tests that want the timeout set it themselves.
     */
    static YamuxConfig.Builder testConfig() {
        return YamuxConfig.builder()
                .acceptBacklog(64)
                .keepAliveInterval(Duration.ofMillis(100))
                .connectionWriteTimeout(Duration.ofSeconds(5));
    }

    static SessionPair open(Kind kind) throws IOException {
        return open(kind, testConfig().build(), testConfig().build());
    }

    static SessionPair open(Kind kind, YamuxConfig clientConfig, YamuxConfig serverConfig) throws IOException {
        return switch (kind) {
            case PIPE -> {
                PipeConn[] pipe = PipeConn.pair(64 * 1024);
                yield new SessionPair(Session.client(pipe[0], clientConfig), Session.server(pipe[1], serverConfig));
            }
            case STREAM_PAIR -> { // the InputStream/OutputStream overloads, as for stdio
                PipeConn[] pipe = PipeConn.pair(64 * 1024);
                yield new SessionPair(
                        Session.client(java.nio.channels.Channels.newInputStream(pipe[0]),
                                java.nio.channels.Channels.newOutputStream(pipe[0]), clientConfig),
                        Session.server(java.nio.channels.Channels.newInputStream(pipe[1]),
                                java.nio.channels.Channels.newOutputStream(pipe[1]), serverConfig));
            }
            case NETPOLL_TCP -> {
                io.weft.netpoll.Conn[] conns = tcpLoopback();
                yield new SessionPair(Session.client(conns[0], clientConfig), Session.server(conns[1], serverConfig));
            }
            case SOCKET_CHANNEL -> {
                try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    SocketChannel clientChannel = SocketChannel.open(listener.getLocalAddress());
                    SocketChannel serverChannel = listener.accept();
                    clientChannel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                    serverChannel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                    yield new SessionPair(Session.client(clientChannel, clientConfig),
                            Session.server(serverChannel, serverConfig));
                }
            }
        };
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }

    /** A connected pair of netpoll TCP conns over loopback: {the dialer's end, the acceptor's end}. */
    static io.weft.netpoll.Conn[] tcpLoopback() throws IOException {
        try (io.weft.netpoll.Listener listener = io.weft.netpoll.Net.listen("tcp", "127.0.0.1:0")) {
            InetSocketAddress address = (InetSocketAddress) listener.address();
            io.weft.netpoll.Conn dialer = io.weft.netpoll.Net.dial("tcp", "127.0.0.1:" + address.getPort());
            return new io.weft.netpoll.Conn[] {dialer, listener.accept()};
        }
    }
}

/**
 * Weft netpoll: Go's network core for Java: {@link io.weft.netpoll.Conn}, {@link
 * io.weft.netpoll.Listener}, {@link io.weft.netpoll.Net}.
 *
 * <p>The {@code spi} package is the contract a poller backend implements; it is exported only to
 * the epoll backend. Backends are found with {@link java.util.ServiceLoader}; the java.nio
 * Selector backend is built in.
 */
module io.weft.netpoll {
    requires jdk.net;

    exports io.weft.netpoll;
    exports io.weft.netpoll.tls;
    exports io.weft.netpoll.spi to io.weft.netpoll.epoll;

    uses io.weft.netpoll.spi.Transport;
}

/**
 * The contract between Weft's network core and a poller backend; exported only to the epoll
 * module.
 *
 * <p>A backend implements {@link io.weft.netpoll.spi.Transport} and registers it both ways, so it
 * is found on the module path and on the class path:
 * <pre>{@code
 * // module-info.java
 * provides io.weft.netpoll.spi.Transport with io.weft.netpoll.epoll.EpollTransport;
 * // src/main/resources/META-INF/services/io.weft.netpoll.spi.Transport
 * io.weft.netpoll.epoll.EpollTransport
 * }</pre>
 * Its connections extend {@link io.weft.netpoll.spi.PollConn} and its listeners {@link
 * io.weft.netpoll.spi.PollListener}, which implement Go's read, write and accept loops, deadlines
 * and close on a {@link io.weft.netpoll.spi.PollDescriptor}; the backend supplies the
 * non-blocking attempts and a poller thread that calls {@link
 * io.weft.netpoll.spi.PollDescriptor#notifyReadable()} / {@link
 * io.weft.netpoll.spi.PollDescriptor#notifyWritable()} / {@link
 * io.weft.netpoll.spi.PollDescriptor#notifyError()}. TCP connections implement {@link
 * io.weft.netpoll.TcpConn}. Errors use {@link io.weft.netpoll.NetClosedException}, {@link
 * io.weft.netpoll.ConnectionResetException}, {@link java.net.ConnectException} and {@link
 * io.weft.netpoll.DeadlineExceededException}, with Go's wording: {@code "read tcp
 * 127.0.0.1:80->127.0.0.1:5123: connection reset by peer"} ({@link
 * io.weft.netpoll.spi.Addresses#describe}).
 */
package io.weft.netpoll.spi;

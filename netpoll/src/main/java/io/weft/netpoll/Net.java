package io.weft.netpoll;

import java.io.IOException;
import java.time.Duration;

/**
 * The entry point, like Go's {@code net} package: listen and dial with Go's network names and
 * address syntax, on the poller {@link Poller#system()} chooses.
 *
 * <h2>Networks and addresses</h2>
 * <ul>
 *   <li>{@code "tcp"}, {@code "tcp4"}, {@code "tcp6"}: {@code "host:port"}, {@code ":port"} (listen:
 *       every local address; dial: loopback), {@code "[::1]:port"}; port 0 when listening picks a
 *       free port. A host name is resolved; dial tries its addresses as {@link Dialer} says
 *       (IPv6 first, IPv4 racing it after 300 ms, the timeout split across addresses). The text
 *       of an {@link java.net.InetSocketAddress} ({@code "localhost/127.0.0.1:80"}) is accepted
 *       too. TCP connections are {@link TcpConn}s with {@code TCP_NODELAY} on and TCP keep-alive
 *       every 15 s (as Go; {@link Dialer} and {@link ListenConfig} change it).</li>
 *   <li>{@code "unix"}: a socket file path. The listener creates the file and removes it when
 *       closed; listening fails if the file exists.</li>
 * </ul>
 * A malformed network or address throws {@link IllegalArgumentException} saying what is wrong.
 *
 * <p>All methods are thread-safe.
 */
public final class Net {
    private Net() {}

    /**
     * Opens a listening socket.
     *
     * @param network "tcp", "tcp4", "tcp6" or "unix"
     * @param address where to listen, e.g. {@code ":8080"}, {@code "127.0.0.1:0"}, {@code "/tmp/app.sock"}
     * @throws java.net.BindException when the address is in use or not local
     */
    public static Listener listen(String network, String address) throws IOException {
        return Poller.system().listen(network, address);
    }

    /**
     * Connects, waiting as long as the operating system allows.
     *
     * @param network "tcp", "tcp4", "tcp6" or "unix"
     * @param address e.g. {@code "example.com:80"}, {@code "[::1]:9000"}, {@code "/tmp/app.sock"}
     * @throws java.net.ConnectException when the peer refuses
     * @throws java.net.UnknownHostException when the host cannot be resolved
     */
    public static Conn dial(String network, String address) throws IOException {
        return Poller.system().dial(network, address);
    }

    /**
     * Connects, giving up after {@code timeout} with {@link DeadlineExceededException}; {@code
     * null} or zero means no timeout (as in Go). Name resolution is not covered by the timeout.
     */
    public static Conn dial(String network, String address, Duration timeout) throws IOException {
        return Poller.system().dial(network, address, timeout);
    }

    /**
     * Go's {@code net.Pipe}: two connected in-memory {@link Conn}s. Synchronous and unbuffered: a
     * write blocks until the other end has read every byte. Deadlines, close, half-close and
     * interrupt behave as on a socket; writing to an end whose peer closed fails with {@link
     * ConnectionResetException} ("broken pipe"). The addresses are {@code null}. For tests and for
     * joining two pieces of code in one process.
     */
    public static Pipe pipe() {
        PipeConn.Direction firstToSecond = new PipeConn.Direction();
        PipeConn.Direction secondToFirst = new PipeConn.Direction();
        return new Pipe(new PipeConn("pipe:first", secondToFirst, firstToSecond),
                new PipeConn("pipe:second", firstToSecond, secondToFirst));
    }

    /**
     * The two ends of {@link #pipe()}.
     *
     * @param first one end; what it writes, {@code second} reads
     * @param second the other end
     */
    public record Pipe(Conn first, Conn second) {}
}

package io.weft.bench;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Poller;
import io.weft.netpoll.tls.Tls;
import io.weft.netpoll.tls.TlsConfig;
import io.weft.netpoll.tls.TlsConn;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * One netpoll benchmark cell in one JVM: {@code N} loopback TCP connections with the client and
 * the server end of each in this process, one thread per end, running the 64-byte ping-pong or
 * (one connection) bulk transfer. Prints one JSON line and halts.
 *
 * <p>Variants: {@code weft-epoll} and {@code weft-nio} (Weft TCP on that poller backend, virtual
 * threads), {@code jdk-virtual} and {@code jdk-platform} (blocking {@code SocketChannel} with
 * TCP_NODELAY, the JDK's own virtual-thread poller or a platform thread blocked in the syscall);
 * optionally {@code weft-epoll-vt}: epoll with netpoll-epoll's opt-in virtual-thread pollers, and
 * {@code weft-epoll-platform}, {@code weft-nio-platform}: Weft TCP with both ends on platform threads.
 * TLS variants (need {@code --tls <file.p12>}, see {@link BenchTls}): {@code weft-epoll-tls}
 * (Weft's {@link TlsConn} over Weft TCP on epoll, virtual threads), {@code jdk-tls-virtual} and
 * {@code jdk-tls-platform} (the JDK's {@link SSLSocket} and {@link SSLServerSocket}, TCP_NODELAY,
 * through their streams, so the loops should use heap buffers); both verify the server as
 * {@code localhost}.
 *
 * <p>Usage: {@code NetBench <variant> <pingpong|bulk> <connections> <warmupSeconds> <measureSeconds>
 * [heap] [--tls <file.p12>]}
 */
public final class NetBench {

    /** The transports compared in the netpoll table, in the table's column order. */
    static final List<String> VARIANTS =
            List.of("weft-epoll", "weft-nio", "jdk-virtual", "jdk-platform", "weft-epoll-vt",
                    "weft-epoll-tls", "jdk-tls-virtual", "jdk-tls-platform", "weft-epoll-platform", "weft-nio-platform");

    private NetBench() {}

    /** Runs one cell as described in the class comment and halts the JVM. */
    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: NetBench <variant> <pingpong|bulk> <connections> <warmupSeconds> "
                    + "<measureSeconds> [heap] [--tls <file.p12>]");
            System.exit(2);
        }
        Watchdog.start(seconds(args[3]).plus(seconds(args[4])).plusSeconds(40), "NetBench " + String.join(" ", args));
        boolean heap = false;
        Path tls = null;
        for (int i = 5; i < args.length; i++) {
            if (args[i].equals("heap")) {
                heap = true;
            } else if (args[i].equals("--tls") && i + 1 < args.length) {
                tls = Path.of(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        int status = 0;
        try {
            Measurement.Result result = run(args[0], args[1], Integer.parseInt(args[2]),
                    seconds(args[3]), seconds(args[4]), heap, false, tls);
            System.out.println(result.toJson());
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.out.flush();
        Runtime.getRuntime().halt(status); // threads are still blocked in I/O; no orderly shutdown needed
    }

    static Duration seconds(String text) {
        return Duration.ofNanos(Math.round(Double.parseDouble(text) * 1e9));
    }

    /**
     * Runs one cell in this JVM; the caller prints the result. With {@code teardown} the
     * connections are closed before returning; without, they are left to the caller's halt
     * (closing 1,024 sockets that platform threads are blocked on can take seconds on a busy box).
     */
    static Measurement.Result run(String variant, String workload, int connections, Duration warmup,
            Duration measure, boolean heap, boolean teardown) throws Exception {
        return run(variant, workload, connections, warmup, measure, heap, teardown, null);
    }

    /**
     * {@link #run(String, String, int, Duration, Duration, boolean, boolean)}, for the TLS variants
     * with the key and certificate in {@code tls}; the result names the negotiated protocol and suite.
     */
    static Measurement.Result run(String variant, String workload, int connections, Duration warmup,
            Duration measure, boolean heap, boolean teardown, Path tls) throws Exception {
        if (!VARIANTS.contains(variant)) {
            throw new IllegalArgumentException("unknown variant " + variant + "; one of " + VARIANTS);
        }
        boolean bulk = switch (workload) {
            case "pingpong" -> false;
            case "bulk" -> true;
            default -> throw new IllegalArgumentException("workload must be pingpong or bulk: " + workload);
        };
        ThreadFactory threads = variant.endsWith("platform")
                ? Thread.ofPlatform().daemon().name("bench-", 0).factory()
                : Thread.ofVirtual().name("bench-", 0).factory();
        List<ByteChannel> open = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stopping = new AtomicBoolean();
        LongAdder counter = new LongAdder();
        CountDownLatch accepted = new CountDownLatch(connections);
        // Loops start together once every connection is up: running pairs would otherwise starve
        // the set-up of the rest (512 busy pairs on 2 cores made it take ~40 s).
        CountDownLatch start = new CountDownLatch(1);
        Server server = Server.open(variant, tls);
        try {
            Thread acceptor = Thread.ofPlatform().daemon().name("bench-acceptor").start(() -> {
                try {
                    for (int i = 0; i < connections; i++) {
                        ByteChannel channel = server.accept();
                        open.add(channel);
                        threads.newThread(loop(failure, stopping, start, () -> {
                            if (bulk) {
                                Workloads.bulkSend(channel, heap);
                            } else {
                                Workloads.echo(channel, heap);
                            }
                        })).start();
                        accepted.countDown();
                    }
                } catch (IOException e) {
                    failure.compareAndSet(null, e);
                }
            });
            List<ByteChannel> clients = new CopyOnWriteArrayList<>();
            for (int i = 0; i < connections; i++) {
                ByteChannel channel = server.dial();
                open.add(channel);
                clients.add(channel);
                threads.newThread(loop(failure, stopping, start, () -> {
                    if (bulk) {
                        Workloads.bulkReceive(channel, heap, counter);
                    } else {
                        Workloads.pingPong(channel, heap, counter);
                    }
                })).start();
            }
            if (!accepted.await(25, TimeUnit.SECONDS)) {
                throw new IOException("only " + (connections - accepted.getCount()) + " of " + connections
                        + " connections were accepted within 25 s", failure.get());
            }
            acceptor.join();
            start.countDown();
            Measurement.Result result = bulk
                    ? Measurement.run(variant, workload, connections, warmup, measure, counter::sum, failure,
                            1e-6, "MB/s")
                    : Measurement.run(variant, workload, connections, warmup, measure, counter::sum, failure,
                            1, "rt/s");
            String negotiated = server.negotiated(clients.getFirst()); // the loops completed the handshake
            if (!negotiated.isEmpty()) {
                result = result.withTls(negotiated);
            }
            stopping.set(true); // before closing, so the loops' closed errors are not failures
            if (teardown) {
                for (Closeable c : open) {
                    closeQuietly(c);
                }
            }
            return result;
        } finally {
            if (teardown) {
                closeQuietly(server);
            }
        }
    }

    /** A loop body that may fail with an I/O error. */
    private interface IoLoop {
        void run() throws IOException;
    }

    private static Runnable loop(AtomicReference<Throwable> failure, AtomicBoolean stopping, CountDownLatch start,
            IoLoop body) {
        return () -> {
            try {
                start.await();
                body.run();
            } catch (Throwable t) {
                if (!stopping.get()) {
                    failure.compareAndSet(null, t);
                }
            }
        };
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // tearing down after the measurement; nothing depends on it
        }
    }

    /** A loopback listener of one variant and the matching dialer. */
    private interface Server extends Closeable {
        ByteChannel accept() throws IOException;

        ByteChannel dial() throws IOException;

        /** The protocol and suite {@code channel} negotiated, or empty for plain TCP. */
        default String negotiated(ByteChannel channel) {
            return "";
        }

        static Server open(String variant, Path tls) throws Exception {
            if (variant.equals("weft-epoll-vt")) {
                System.setProperty("weft.netpoll.epoll.pollerThreads", "virtual"); // read when the poller starts
                return new WeftServer(Poller.named("epoll"));
            }
            if (variant.contains("tls")) {
                if (tls == null) {
                    throw new IllegalArgumentException(variant + " needs --tls <file.p12>");
                }
                SSLContext context = BenchTls.context(tls);
                return variant.startsWith("weft-")
                        ? new WeftTlsServer(Poller.named("epoll"), TlsConfig.of(context))
                        : new JdkTlsServer(context);
            }
            return variant.startsWith("weft-")
                    ? new WeftServer(Poller.named(variant.substring(5).replace("-platform", ""))) : new JdkServer();
        }
    }

    /** Weft's {@link TlsConn} over Weft TCP; the handshake runs in the loops' first read or write. */
    private static final class WeftTlsServer implements Server {
        private final WeftServer tcp;
        private final TlsConfig config;

        WeftTlsServer(Poller poller, TlsConfig config) throws IOException {
            this.tcp = new WeftServer(poller);
            this.config = config;
        }

        @Override
        public TlsConn accept() throws IOException {
            return Tls.server(tcp.accept(), config);
        }

        @Override
        public TlsConn dial() throws IOException {
            return Tls.client(tcp.dial(), config, BenchTls.SERVER_NAME);
        }

        @Override
        public String negotiated(ByteChannel channel) {
            TlsConn tls = (TlsConn) channel;
            return tls.protocol() + " " + tls.cipherSuite();
        }

        @Override
        public void close() throws IOException {
            tcp.close();
        }
    }

    /**
     * The JDK's {@link SSLServerSocket} and {@link SSLSocket} with TCP_NODELAY, the client
     * verifying the server as {@code localhost} (sent as SNI) like Weft's; the handshake runs in
     * the loops' first read or write.
     */
    private static final class JdkTlsServer implements Server {
        private final SSLContext context;
        private final SSLServerSocket listener;

        JdkTlsServer(SSLContext context) throws IOException {
            this.context = context;
            this.listener = (SSLServerSocket) context.getServerSocketFactory()
                    .createServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        }

        @Override
        public ByteChannel accept() throws IOException {
            SSLSocket socket = (SSLSocket) listener.accept();
            socket.setTcpNoDelay(true);
            return new SocketStreams(socket);
        }

        @Override
        public ByteChannel dial() throws IOException {
            SSLSocket socket = (SSLSocket) context.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            socket.setTcpNoDelay(true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(BenchTls.SERVER_NAME)));
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            return new SocketStreams(socket);
        }

        @Override
        public String negotiated(ByteChannel channel) {
            SSLSocket socket = ((SocketStreams) channel).socket;
            return socket.getSession().getProtocol() + " " + socket.getSession().getCipherSuite();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    /**
     * An {@link SSLSocket}'s streams as a {@link ByteChannel}, for the shared loops: heap buffers
     * go straight to the streams' arrays (a direct buffer is copied through a temporary array).
     * One reader and one writer at a time, like the streams themselves.
     */
    private static final class SocketStreams implements ByteChannel {
        private final SSLSocket socket;
        private final InputStream in;
        private final OutputStream out;

        SocketStreams(SSLSocket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (dst.hasArray()) {
                int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
                return n;
            }
            byte[] bytes = new byte[dst.remaining()];
            int n = in.read(bytes);
            if (n > 0) {
                dst.put(bytes, 0, n);
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            if (src.hasArray()) {
                out.write(src.array(), src.arrayOffset() + src.position(), n);
                src.position(src.limit());
            } else {
                byte[] bytes = new byte[n];
                src.get(bytes);
                out.write(bytes);
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return !socket.isClosed();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Weft TCP on one poller backend (what {@code Net} does with that poller forced). */
    private static final class WeftServer implements Server {
        private final Poller poller;
        private final Listener listener;
        private final String address;

        WeftServer(Poller poller) throws IOException {
            this.poller = poller;
            this.listener = poller.listen("tcp", "127.0.0.1:0");
            this.address = hostPort(listener.address());
        }

        @Override
        public Conn accept() throws IOException {
            return listener.accept();
        }

        @Override
        public Conn dial() throws IOException {
            return poller.dial("tcp", address);
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    /** The JDK's blocking {@code SocketChannel} with TCP_NODELAY, as Go and Weft default to. */
    private static final class JdkServer implements Server {
        private final ServerSocketChannel listener =
                ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 4096);

        JdkServer() throws IOException {}

        @Override
        public SocketChannel accept() throws IOException {
            return noDelay(listener.accept());
        }

        @Override
        public SocketChannel dial() throws IOException {
            return noDelay(SocketChannel.open(listener.getLocalAddress()));
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }

        private static SocketChannel noDelay(SocketChannel channel) throws IOException {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            return channel;
        }
    }

    static String hostPort(java.net.SocketAddress address) {
        InetSocketAddress inet = (InetSocketAddress) address;
        String host = inet.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
}

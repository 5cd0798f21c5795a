package io.weft.bench;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Poller;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
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
 * optionally {@code weft-epoll-vt}: epoll with netpoll-epoll's opt-in virtual-thread pollers.
 *
 * <p>Usage: {@code NetBench <variant> <pingpong|bulk> <connections> <warmupSeconds> <measureSeconds> [heap]}
 */
public final class NetBench {

    /** The transports compared in the netpoll table, in the table's column order. */
    static final List<String> VARIANTS =
            List.of("weft-epoll", "weft-nio", "jdk-virtual", "jdk-platform", "weft-epoll-vt");

    private NetBench() {}

    /** Runs one cell as described in the class comment and halts the JVM. */
    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: NetBench <variant> <pingpong|bulk> <connections> <warmupSeconds> "
                    + "<measureSeconds> [heap]");
            System.exit(2);
        }
        Watchdog.start(seconds(args[3]).plus(seconds(args[4])).plusSeconds(40), "NetBench " + String.join(" ", args));
        int status = 0;
        try {
            Measurement.Result result = run(args[0], args[1], Integer.parseInt(args[2]),
                    seconds(args[3]), seconds(args[4]), args.length > 5 && args[5].equals("heap"), false);
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
        if (!VARIANTS.contains(variant)) {
            throw new IllegalArgumentException("unknown variant " + variant + "; one of " + VARIANTS);
        }
        boolean bulk = switch (workload) {
            case "pingpong" -> false;
            case "bulk" -> true;
            default -> throw new IllegalArgumentException("workload must be pingpong or bulk: " + workload);
        };
        ThreadFactory threads = variant.equals("jdk-platform")
                ? Thread.ofPlatform().daemon().name("bench-", 0).factory()
                : Thread.ofVirtual().name("bench-", 0).factory();
        List<Closeable> open = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stopping = new AtomicBoolean();
        LongAdder counter = new LongAdder();
        CountDownLatch accepted = new CountDownLatch(connections);
        // Loops start together once every connection is up: running pairs would otherwise starve
        // the set-up of the rest (512 busy pairs on 2 cores made it take ~40 s).
        CountDownLatch start = new CountDownLatch(1);
        Server server = Server.open(variant);
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
            for (int i = 0; i < connections; i++) {
                ByteChannel channel = server.dial();
                open.add(channel);
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

        static Server open(String variant) throws IOException {
            if (variant.equals("weft-epoll-vt")) {
                System.setProperty("weft.netpoll.epoll.pollerThreads", "virtual"); // read when the poller starts
                return new WeftServer(Poller.named("epoll"));
            }
            return variant.startsWith("weft-") ? new WeftServer(Poller.named(variant.substring(5))) : new JdkServer();
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

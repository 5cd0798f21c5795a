package io.weft.bench;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Poller;
import io.weft.netpoll.tls.Tls;
import io.weft.netpoll.tls.TlsConfig;
import io.weft.netpoll.tls.TlsConn;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Java side of a yamux-table cell, one process per end, speaking exactly what the Go peer
 * ({@code bench/src/main/go/weftbench}) speaks: over Weft netpoll TCP ({@code --poller epoll} by
 * default, or {@code nio}), either
 * one yamux stream ({@code --mux yamux}, default {@code YamuxConfig}) or the bare connection
 * ({@code --mux raw}); with {@code --tls <file.p12>} (see {@link BenchTls}) either runs over
 * Weft's {@link TlsConn} on that TCP connection, the client verifying the server as
 * {@code localhost}.
 *
 * <ul>
 *   <li>{@code --role server}: prints {@code LISTEN host:port}, accepts one connection (and one
 *       stream), then for {@code bulk} writes 64 KiB chunks until the client leaves, for
 *       {@code rr} echoes 64-byte messages.
 *   <li>{@code --role client --addr host:port}: for {@code bulk} reads and counts bytes, for
 *       {@code rr} writes 64 bytes and reads the echo; after {@code --warmup} seconds it measures
 *       for {@code --measure} seconds and prints one JSON line.
 * </ul>
 * The I/O loops run on virtual threads, or with {@code --threads platform} on platform threads
 * (the harness passes it to the client of the platform-thread cell); the main thread only times
 * them; the warm-up starts at the first byte received. The multi-stream workloads of the
 * {@code yamux2} suite ({@code lub}, {@code bulk8}, {@code churn}, {@code idle} with
 * {@code --streams N}) are in {@link MuxCells}; over {@code --mux raw} each of their streams is a
 * TCP connection of its own; with {@code --session-threads platform} the client
 * session's reader and writer threads are platform threads too.
 */
public final class MuxPeer {

    private MuxPeer() {}

    /** Runs one end of a cell as described in the class comment and halts the JVM. */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("mux", "yamux", "workload", "bulk",
                "listen", "127.0.0.1:0", "warmup", "1", "measure", "3", "poller", "epoll", "threads", "virtual",
                "streams", "10000", "session-threads", "virtual"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        String mux = options.get("mux");
        Poller poller = Poller.named(options.get("poller"));
        String workload = options.get("workload");
        if (!mux.equals("yamux") && !mux.equals("raw")) {
            throw new IllegalArgumentException("--mux must be yamux or raw");
        }
        Thread.Builder threads = switch (options.get("threads")) {
            case "virtual" -> Thread.ofVirtual();
            case "platform" -> Thread.ofPlatform().daemon();
            default -> throw new IllegalArgumentException("--threads must be virtual or platform");
        };
        int streams = Integer.parseInt(options.get("streams"));
        TlsConfig tls = options.containsKey("tls")
                ? TlsConfig.of(BenchTls.context(Path.of(options.get("tls")))) : null;
        int status = 0;
        try {
            switch (options.getOrDefault("role", "")) {
                case "server" -> {
                    if (MuxCells.WORKLOADS.contains(workload)) {
                        serveStreams(poller, mux, workload, options.get("listen"), threads, streams);
                    } else {
                        serve(poller, mux, workload, options.get("listen"), tls, threads);
                    }
                }
                case "client" -> {
                    Watchdog.start(NetBench.seconds(options.get("warmup")).plus(NetBench.seconds(options.get("measure")))
                            .plusSeconds(30), "MuxPeer client");
                    Duration warmup = NetBench.seconds(options.get("warmup"));
                    Duration measure = NetBench.seconds(options.get("measure"));
                    String impl = options.getOrDefault("impl", "weft-" + mux);
                    System.out.println(MuxCells.WORKLOADS.contains(workload)
                            ? clientStreams(poller, mux, workload, options.get("addr"), warmup, measure, impl, threads,
                                    streams)
                            : client(poller, mux, workload, options.get("addr"), warmup, measure, impl, tls, threads,
                                    options.get("session-threads").equals("platform"))
                                    .toJson());
                }
                default -> throw new IllegalArgumentException("--role must be server or client");
            }
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.out.flush();
        Runtime.getRuntime().halt(status);
    }

    private static void serve(Poller poller, String mux, String workload, String listen, TlsConfig tls,
            Thread.Builder threads) throws Exception {
        Conn stream;
        try (Listener listener = poller.listen("tcp", listen)) {
            System.out.println("LISTEN " + NetBench.hostPort(listener.address()));
            System.out.flush();
            Conn conn = listener.accept();
            if (tls != null) {
                conn = Tls.server(conn, tls); // handshakes on the first read or write
            }
            stream = mux.equals("yamux") ? Session.server(conn, MuxCells.config(workload, 1)).acceptStream() : conn;
        }
        Thread loop = threads.name("bench-server").start(() -> {
            try {
                if (workload.equals("bulk")) {
                    Workloads.bulkSend(stream, false);
                } else {
                    Workloads.echo(stream, false);
                }
            } catch (IOException e) {
                // the client has gone: the cell is over
            }
        });
        loop.join();
    }

    static Measurement.Result client(Poller poller, String mux, String workload, String address, Duration warmup,
            Duration measure, String impl, TlsConfig tls, Thread.Builder threads, boolean platformSession)
            throws Exception {
        Conn conn = poller.dial("tcp", address);
        if (tls != null) {
            conn = Tls.client(conn, tls, BenchTls.SERVER_NAME);
        }
        YamuxConfig config = platformSession
                ? YamuxConfig.builder().threadFactory(Thread.ofPlatform().daemon().name("yamux-", 0).factory()).build()
                : MuxCells.config(workload, 1);
        Conn stream = mux.equals("yamux") ? Session.client(conn, config).openStream() : conn;
        LongAdder counter = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        boolean bulk = switch (workload) {
            case "bulk" -> true;
            case "rr" -> false;
            default -> throw new IllegalArgumentException("--workload must be bulk or rr");
        };
        threads.name("bench-client").start(() -> {
            try {
                if (bulk) {
                    Workloads.bulkReceive(stream, false, counter);
                } else {
                    Workloads.pingPong(stream, false, counter);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        // Warm-up counts from the first byte, not from connecting: a peer JVM still loading
        // classes would otherwise eat a short warm-up (and a window of zero would be reported).
        long firstByteDeadline = System.nanoTime() + 20_000_000_000L;
        while (counter.sum() == 0 && failure.get() == null && System.nanoTime() < firstByteDeadline) {
            Thread.sleep(5); // polling a counter the loop owns; not synchronisation of the loop itself
        }
        Measurement.Result result = bulk
                ? Measurement.run(impl, workload, 1, warmup, measure, counter::sum, failure, 1e-6, "MB/s")
                : Measurement.run(impl, workload, 1, warmup, measure, counter::sum, failure, 1, "rt/s");
        return conn instanceof TlsConn secure ? result.withTls(secure.protocol() + " " + secure.cipherSuite()) : result;
    }

    /** Server of a {@link MuxCells} workload: one yamux session, or (raw) a connection per stream. */
    private static void serveStreams(Poller poller, String mux, String workload, String listen, Thread.Builder threads,
            int streams) throws Exception {
        Listener listener = poller.listen("tcp", listen);
        System.out.println("LISTEN " + NetBench.hostPort(listener.address()));
        System.out.flush();
        CountDownLatch ended = new CountDownLatch(1);
        if (mux.equals("yamux")) {
            Conn conn = listener.accept();
            listener.close();
            Session session = Session.server(conn, MuxCells.config(workload, streams));
            if (workload.equals("idle")) {
                MuxCells.serveIdle(session, streams);
                return;
            }
            MuxCells.serve(session::acceptStream, threads, ended);
        } else {
            MuxCells.serve(listener::accept, threads, ended);
        }
        ended.await(); // until the client has gone
    }

    /** Client of a {@link MuxCells} workload; returns its JSON line. */
    private static String clientStreams(Poller poller, String mux, String workload, String address, Duration warmup,
            Duration measure, String impl, Thread.Builder threads, int streams) throws Exception {
        MuxCells.Opener opener;
        if (mux.equals("yamux")) {
            Session session = Session.client(poller.dial("tcp", address), MuxCells.config(workload, streams));
            opener = session::openStream;
        } else {
            opener = () -> poller.dial("tcp", address);
        }
        return workload.equals("idle") ? MuxCells.idleClient(opener, streams)
                : MuxCells.client(workload, opener, threads, warmup, measure, impl);
    }
}

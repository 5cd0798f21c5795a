package io.weft.yamux;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: a throwaway probe for choosing {@link YamuxConfig#notSentLowWaterBytes()}. One
 * session over loopback TCP between two processes; the server streams 64 KiB chunks on one
 * stream while the client does 64-byte round trips on another. Prints one line: round trips/s,
 * p50 and p99 in microseconds, and the bulk rate meanwhile.
 *
 * <pre>
 *   java -cp ... io.weft.yamux.LatencyUnderBulkProbe server LOWAT        (prints "LISTEN host:port")
 *   java -cp ... io.weft.yamux.LatencyUnderBulkProbe client LOWAT host:port WARMUP_S MEASURE_S
 * </pre>
 * The official cell lives in bench/ (issue 12 item 6); this only compares low-water values.
 */
public final class LatencyUnderBulkProbe {
    private LatencyUnderBulkProbe() {}

    /** Runs one end; see the class comment. */
    public static void main(String[] args) throws Exception {
        YamuxConfig config = YamuxConfig.builder().notSentLowWaterBytes(Integer.parseInt(args[1])).build();
        if (args[0].equals("server")) {
            serve(config);
        } else {
            client(config, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static void serve(YamuxConfig config) throws Exception {
        Session session;
        try (Listener listener = Net.listen("tcp", "127.0.0.1:0")) {
            System.out.println("LISTEN " + listener.address());
            System.out.flush();
            session = Session.server(listener.accept(), config);
        }
        while (true) {
            Stream stream = session.acceptStream();
            Thread.ofVirtual().start(() -> {
                try {
                    ByteBuffer kind = ByteBuffer.allocate(1);
                    stream.read(kind);
                    if (kind.get(0) == 'B') {
                        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                        while (true) {
                            stream.write(chunk.clear());
                        }
                    }
                    ByteBuffer message = ByteBuffer.allocate(64);
                    while (true) {
                        message.clear();
                        while (message.hasRemaining()) {
                            if (stream.read(message) < 0) {
                                return;
                            }
                        }
                        stream.write(message.flip());
                    }
                } catch (IOException e) {
                    // the client left
                }
            });
        }
    }

    private static void client(YamuxConfig config, String address, int warmupSeconds, int measureSeconds)
            throws Exception {
        Conn conn = Net.dial("tcp", address);
        Session session = Session.client(conn, config);
        Stream bulk = session.openStream();
        bulk.write(ByteBuffer.wrap(new byte[] {'B'}));
        AtomicLong bulkBytes = new AtomicLong();
        Thread.ofVirtual().start(() -> {
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            try {
                while (true) {
                    int n = bulk.read(in.clear());
                    if (n < 0) {
                        return;
                    }
                    bulkBytes.addAndGet(n);
                }
            } catch (IOException e) {
                // session over
            }
        });
        Stream rr = session.openStream();
        rr.write(ByteBuffer.wrap(new byte[] {'R'}));
        ByteBuffer message = ByteBuffer.allocate(64);
        long[] latencies = new long[2_000_000];
        int count = 0;
        long warmupEnd = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        long end = warmupEnd + measureSeconds * 1_000_000_000L;
        long bulkAtStart = -1;
        long now;
        while ((now = System.nanoTime()) < end) {
            if (bulkAtStart < 0 && now >= warmupEnd) {
                bulkAtStart = bulkBytes.get();
            }
            rr.write(message.clear());
            message.clear();
            while (message.hasRemaining()) {
                rr.read(message);
            }
            long took = System.nanoTime() - now;
            if (now >= warmupEnd && count < latencies.length) {
                latencies[count++] = took;
            }
        }
        long bulkMeasured = bulkBytes.get() - bulkAtStart;
        Arrays.sort(latencies, 0, count);
        System.out.printf("lowat=%d rt/s=%.0f p50us=%.0f p99us=%.0f bulkMB/s=%.0f%n", config.notSentLowWaterBytes(),
                count / (double) measureSeconds, latencies[count / 2] / 1e3, latencies[(int) (count * 0.99)] / 1e3,
                bulkMeasured / 1e6 / measureSeconds);
    }
}

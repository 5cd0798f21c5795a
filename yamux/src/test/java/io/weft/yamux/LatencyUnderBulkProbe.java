package io.weft.yamux;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Poller;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A probe, not a test and not a benchmark of record: 64-byte round trips on one yamux stream
 * while a second stream of the same session moves bulk data, over loopback TCP on a netpoll
 * {@link Poller} (epoll by default), as the bench's MuxPeer does. Prints p50/p90/p99/max of the
 * round trips, their rate, and the bulk rate meanwhile.
 *
 * <p>{@code --bulk down} (server writes 64 KiB chunks, client reads; the bench cell's direction),
 * {@code up} (client writes, server reads), {@code echo} (client writes, server echoes, client
 * reads) or {@code none}. {@code --autotune on|off}, {@code --seconds N} (measure), {@code --rounds N},
 * {@code --poller epoll|nio}, {@code --lowat BYTES} (TCP_NOTSENT_LOWAT, 0 = off; default the
 * session default), {@code --sndbuf BYTES} (SO_SNDBUF on both ends, 0 = the kernel's
 * auto-tuning: a crude stand-in for TCP_NOTSENT_LOWAT, bounding the sender's kernel queue).
 * Server and client run in this one JVM.
 */
public final class LatencyUnderBulkProbe {
    private static final int MESSAGE_BYTES = 64;
    private static final int CHUNK_BYTES = 64 * 1024;

    private LatencyUnderBulkProbe() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("bulk", "down", "autotune", "on", "seconds", "3",
                "warmup", "1", "rounds", "1", "poller", "epoll", "sndbuf", "0", "lowat", String.valueOf(YamuxConfig.defaults().notSentLowWaterBytes())));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].substring(2), args[i + 1]);
        }
        for (int r = 0; r < Integer.parseInt(o.get("rounds")); r++) {
            System.out.println(round(o));
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static String round(Map<String, String> o) throws Exception {
        Poller poller = Poller.named(o.get("poller"));
        YamuxConfig config = YamuxConfig.builder().windowAutoTuning(o.get("autotune").equals("on"))
                .notSentLowWaterBytes(Integer.parseInt(o.get("lowat"))).build();
        String bulk = o.get("bulk");
        Listener listener = poller.listen("tcp", "127.0.0.1:0");
        int sndbuf = Integer.parseInt(o.get("sndbuf"));
        Thread.ofVirtual().name("probe-server").start(() -> serve(listener, config, bulk, sndbuf));
        Conn conn = tuned(poller.dial("tcp", listener.address().toString()), sndbuf);
        Session client = Session.client(conn, config);
        Stream rr = client.openStream();
        rr.write(ByteBuffer.wrap(new byte[] {'r'}));
        LongAdder bulkBytes = new LongAdder();
        Stream bulkStream = null;
        if (!bulk.equals("none")) {
            bulkStream = client.openStream();
            bulkStream.write(ByteBuffer.wrap(new byte[] {(byte) bulk.charAt(0)}));
            Stream s = bulkStream;
            if (!bulk.equals("down")) {
                Thread.ofVirtual().name("probe-bulk-writer").start(() -> sink(() -> pump(s, bulk.equals("up") ? bulkBytes : new LongAdder())));
            }
            if (!bulk.equals("up")) {
                Thread.ofVirtual().name("probe-bulk-reader").start(() -> sink(() -> drain(s, bulkBytes)));
            } else {
                // bytes counted on the server side would need a channel back; count what we wrote instead
            }
        }
        long warmupNanos = (long) (Double.parseDouble(o.get("warmup")) * 1e9);
        long measureNanos = (long) (Double.parseDouble(o.get("seconds")) * 1e9);
        long[] samples = new long[4_000_000];
        long[] up = new long[samples.length];
        int[] count = new int[1];
        long[] window = new long[2];
        Thread rrThread = Thread.ofVirtual().name("probe-rr").start(() -> sink(() -> {
            ByteBuffer m = ByteBuffer.allocateDirect(MESSAGE_BYTES);
            long start = System.nanoTime();
            long measureStart = start + warmupNanos;
            long end = measureStart + measureNanos;
            long bulkAtStart = 0;
            while (true) {
                long t0 = System.nanoTime();
                if (t0 >= end) {
                    window[1] = bulkBytes.sum() - bulkAtStart;
                    return;
                }
                m.clear();
                m.putLong(0, t0);
                while (m.hasRemaining()) {
                    rr.write(m);
                }
                m.clear();
                while (m.hasRemaining()) {
                    if (rr.read(m) < 0) {
                        throw new EOFException();
                    }
                }
                long t1 = System.nanoTime();
                if (t0 >= measureStart) {
                    if (count[0] == 0) {
                        bulkAtStart = bulkBytes.sum();
                    }
                    if (count[0] < samples.length) {
                        up[count[0]] = m.getLong(8) - t0;
                        samples[count[0]++] = t1 - t0;
                    }
                }
            }
        }));
        rrThread.join();
        long windowBytes = bulkStream == null ? 0 : bulkStream.receiveWindowBytes();
        client.close();
        listener.close();
        long[] s = Arrays.copyOf(samples, count[0]);
        long[] u = Arrays.copyOf(up, count[0]);
        long[] d = new long[count[0]];
        for (int i = 0; i < d.length; i++) {
            d[i] = s[i] - u[i];
        }
        Arrays.sort(s);
        Arrays.sort(u);
        Arrays.sort(d);
        double seconds = measureNanos / 1e9;
        return String.format("bulk=%s autotune=%s rt/s=%.0f p50=%.3fms p90=%.3fms p99=%.3fms p999=%.3fms max=%.3fms bulkMB/s=%.0f load=%s win=%dK | up p50=%.3f p99=%.3f down p50=%.3f p99=%.3f",
                bulk, o.get("autotune"), s.length / seconds, pct(s, 0.5), pct(s, 0.9), pct(s, 0.99), pct(s, 0.999),
                s.length == 0 ? 0 : s[s.length - 1] / 1e6, window[1] / seconds / 1e6, loadavg(), windowBytes / 1024, pct(u, 0.5), pct(u, 0.99), pct(d, 0.5), pct(d, 0.99));
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, (long) (p * sorted.length))] / 1e6;
    }

    private static String loadavg() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static Conn tuned(Conn conn, int sndbuf) throws IOException {
        if (sndbuf > 0 && conn instanceof io.weft.netpoll.TcpConn tcp) {
            tcp.setWriteBufferBytes(sndbuf);
        }
        return conn;
    }

    private static void serve(Listener listener, YamuxConfig config, String bulk, int sndbuf) {
        sink(() -> {
            Session server = Session.server(tuned(listener.accept(), sndbuf), config);
            while (true) {
                Stream s = server.acceptStream();
                Thread.ofVirtual().start(() -> sink(() -> {
                    ByteBuffer role = ByteBuffer.allocate(1);
                    while (role.hasRemaining()) {
                        if (s.read(role) < 0) {
                            return;
                        }
                    }
                    switch (role.get(0)) {
                        case 'r' -> echoStamped(s);
                        case 'd' -> pump(s, new LongAdder());
                        case 'u' -> drain(s, new LongAdder());
                        case 'e' -> echo(s, CHUNK_BYTES);
                        default -> throw new IOException("role " + role.get(0));
                    }
                }));
            }
        });
    }

    /** Echoes 64-byte messages, stamping the time each was read at bytes 8..16. */
    private static void echoStamped(Stream s) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(MESSAGE_BYTES);
        while (true) {
            b.clear();
            while (b.hasRemaining()) {
                if (s.read(b) < 0) {
                    return;
                }
            }
            b.putLong(8, System.nanoTime());
            b.flip();
            while (b.hasRemaining()) {
                s.write(b);
            }
        }
    }

    private static void echo(Stream s, int bufferBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(bufferBytes);
        while (true) {
            b.clear();
            if (s.read(b) < 0) {
                return;
            }
            b.flip();
            while (b.hasRemaining()) {
                s.write(b);
            }
        }
    }

    private static void pump(Stream s, LongAdder bytes) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
        while (true) {
            chunk.clear();
            while (chunk.hasRemaining()) {
                s.write(chunk);
            }
            bytes.add(CHUNK_BYTES);
        }
    }

    private static void drain(Stream s, LongAdder bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(CHUNK_BYTES);
        while (true) {
            b.clear();
            int n = s.read(b);
            if (n < 0) {
                return;
            }
            bytes.add(n);
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void sink(Body body) {
        try {
            body.run();
        } catch (Exception e) {
            // the round is over (the session closes under the loops)
        }
    }
}

package io.weft.yamux.hostile;

import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Weft victim as a process of its own, for {@link ChildVictim}: an {@link EchoVictim} with
 * {@link YamuxConfig#defaults()} and the stats protocol of the Go victim
 * ({@code yamux/src/test/go/hostilevictim}): it prints {@code listening ECHO_ADDR stats STATS_ADDR},
 * and a client of the stats address writes {@code 'g'} (full GC first) or {@code 'c'} and reads one
 * JSON line {@code {"heapBytes":N,"goroutines":N,"rssBytes":N,"sessions":N,"streams":N}} (the
 * Go field name; here the count of live threads the victim started, virtual ones included).
 *
 * <p>Threads: the main thread serves the stats listener, one request at a time.
 */
public final class HostileVictimMain {

    private HostileVictimMain() {
    }

    /** Runs until killed. */
    public static void main(String[] args) throws IOException {
        EchoVictim victim = new EchoVictim(YamuxConfig.defaults(), true);
        try (ServerSocket stats = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            InetSocketAddress echo = victim.address();
            System.out.println("listening " + HealthyClient.hostPort(echo) + " stats 127.0.0.1:" + stats.getLocalPort());
            System.out.flush();
            while (true) {
                try (Socket client = stats.accept()) {
                    InputStream in = client.getInputStream();
                    int request = in.read();
                    Victim.Snapshot s = request == 'g' ? victim.snapshot() : victim.counts();
                    String line = "{\"heapBytes\":" + s.heapBytes() + ",\"goroutines\":" + s.threads()
                            + ",\"rssBytes\":" + rss() + ",\"sessions\":" + s.sessions() + ",\"streams\":"
                            + s.streams() + "}\n";
                    OutputStream out = client.getOutputStream();
                    out.write(line.getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
    }

    /** VmRSS of this process in bytes, -1 if unknown. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }
}

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The footprint table of docs/benchmarks.md, run by bench/footprint.sh (which builds what it needs
 * and passes the commands). Every figure is taken RUNS times and printed as min / median / max.
 *
 * <ul>
 *   <li>start: wall time of {@code CMD --version} (the Go peer has no such flag: its usage run).
 *   <li>first byte: a local TCP echo target runs in this process; the tunnel's server end is started
 *       and ready; then the client end starts (t0) and a probe connects to its entry port every 2 ms
 *       until one byte written comes back through client, server and target (t1).
 *   <li>idle RSS: the client's VmRSS 3 s after the first byte; then 256 MiB are echoed through the
 *       tunnel (peak RSS sampled every 50 ms), and the client's RSS again after IDLE_AFTER seconds.
 * </ul>
 *
 * Usage: java tools/Footprint.java RUNS IDLE_AFTER_SECONDS NAME VERSION_CMD SERVER_CMD CLIENT_CMD [NAME ...]
 * where each command is one shell-quoted string; {TARGET}, {PORT} (the yamux port) and {ENTRY} are
 * replaced. A CLIENT_CMD of "stdio" form (SERVER_CMD starting with "pipe:") connects the two ends'
 * stdin/stdout to each other, as yamux-cli pairs are run, instead of over TCP.
 */
public final class Footprint {

    private static final long LOAD_BYTES = 256L << 20;

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        int idleAfter = Integer.parseInt(args[1]);
        ServerSocket target = new ServerSocket();
        target.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread echo = new Thread(() -> serveEcho(target), "echo-target");
        echo.setDaemon(true);
        echo.start();
        System.out.println("| subject | start (--version) ms | first byte through the tunnel ms | idle client RSS MiB | peak under load MiB | "
                + idleAfter + " s after load MiB |");
        System.out.println("|---|---|---|---|---|---|");
        for (int i = 2; i + 4 <= args.length; i += 4) {
            String name = args[i];
            long[] start = new long[runs];
            long[] firstByte = new long[runs];
            long[] idle = new long[runs];
            long[] peak = new long[1];
            long[] after = new long[1];
            for (int r = 0; r < runs; r++) {
                start[r] = timeVersion(args[i + 1]);
            }
            for (int r = 0; r < runs; r++) {
                boolean last = r == runs - 1;
                long[] one = tunnel(args[i + 2], args[i + 3], target.getLocalPort(), last, idleAfter);
                firstByte[r] = one[0];
                idle[r] = one[1];
                if (last) {
                    peak[0] = one[2];
                    after[0] = one[3];
                }
            }
            System.out.printf("| %s | %s | %s | %s | %s | %s |%n", name, stats(start, 1_000_000), stats(firstByte, 1_000_000),
                    stats(idle, 1024), peak[0] / 1024, after[0] / 1024);
        }
        target.close();
    }

    private static String stats(long[] values, long unit) {
        long[] v = values.clone();
        Arrays.sort(v);
        return (v[0] / unit) + " / " + (v[v.length / 2] / unit) + " / " + (v[v.length - 1] / unit);
    }

    private static long timeVersion(String command) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + ": still running after 60 s");
        }
        return System.nanoTime() - t0;
    }

    /** One tunnel: {first byte nanos, idle RSS KiB, peak RSS KiB, RSS after load KiB}. */
    private static long[] tunnel(String serverCmd, String clientCmd, int targetPort, boolean load, int idleAfter)
            throws Exception {
        int port = freePort();
        int entry = freePort();
        boolean pipe = serverCmd.startsWith("pipe:");
        String server = fill(pipe ? serverCmd.substring(5) : serverCmd, targetPort, port, entry);
        String client = fill(clientCmd, targetPort, port, entry);
        Path log = Files.createTempFile("footprint", ".log");
        List<Process> processes = new ArrayList<>();
        try {
            long t0;
            Process c;
            if (pipe) {
                // Both ends start at t0, joined stdin to stdout like `cat p | A | B > p`.
                t0 = System.nanoTime();
                Process s = new ProcessBuilder("sh", "-c", "exec " + server).redirectError(log.toFile()).start();
                processes.add(s);
                c = new ProcessBuilder("sh", "-c", "exec " + client).redirectError(log.toFile()).start();
                processes.add(c);
                pump(s.getInputStream(), c.getOutputStream());
                pump(c.getInputStream(), s.getOutputStream());
            } else {
                Process s = new ProcessBuilder("sh", "-c", "exec " + server).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).start();
                processes.add(s);
                waitForPort(port, s);
                t0 = System.nanoTime();
                c = new ProcessBuilder("sh", "-c", "exec " + client).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                processes.add(c);
            }
            long firstByte = probe(entry, c) - t0;
            Thread.sleep(3000);
            long idle = rssKiB(c.pid());
            long peak = 0;
            long after = 0;
            if (load) {
                peak = pushLoad(entry, c.pid());
                Thread.sleep(idleAfter * 1000L);
                after = rssKiB(c.pid());
            }
            return new long[] {firstByte, idle, peak, after};
        } finally {
            for (Process p : processes) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }
            for (Process p : processes) {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            Files.deleteIfExists(log);
        }
    }

    private static String fill(String command, int target, int port, int entry) {
        return command.replace("{TARGET}", String.valueOf(target)).replace("{PORT}", String.valueOf(port))
                .replace("{ENTRY}", String.valueOf(entry));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port, Process server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!server.isAlive()) {
                    throw new IOException("server exited " + server.exitValue());
                }
                Thread.sleep(5);
            }
        }
        throw new IOException("server not listening on " + port + " after 30 s");
    }

    /** Connects to the entry until one byte comes back; returns System.nanoTime() then. */
    private static long probe(int entry, Process client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", entry)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write('x');
                if (s.getInputStream().read() == 'x') {
                    return System.nanoTime();
                }
            } catch (IOException notYet) {
                if (!client.isAlive()) {
                    throw new IOException("client exited " + client.exitValue());
                }
                Thread.sleep(2);
            }
        }
        throw new IOException("no byte back through the tunnel after 30 s");
    }

    /** Echoes LOAD_BYTES through the tunnel; returns the client's peak RSS in KiB meanwhile. */
    private static long pushLoad(int entry, long pid) throws Exception {
        try (Socket s = new Socket("127.0.0.1", entry)) {
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = s.getOutputStream();
                    for (long sent = 0; sent < LOAD_BYTES; sent += chunk.length) {
                        out.write(chunk);
                    }
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            long peak = 0;
            long next = 0;
            byte[] buf = new byte[64 * 1024];
            InputStream in = s.getInputStream();
            long received = 0;
            for (int n; received < LOAD_BYTES && (n = in.read(buf)) > 0; ) {
                received += n;
                if (System.nanoTime() > next) {
                    peak = Math.max(peak, rssKiB(pid));
                    next = System.nanoTime() + 50_000_000;
                }
            }
            writer.join();
            return Math.max(peak, rssKiB(pid));
        }
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    private static void pump(InputStream from, OutputStream to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (from; to) {
                for (int n; (n = from.read(buf)) > 0; ) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            } catch (IOException ended) {
                // the other end exited
            }
        }, "pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void serveEcho(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException ended) {
                        // the probe closed it
                    }
                }, "echo");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }
}

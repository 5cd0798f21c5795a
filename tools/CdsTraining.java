import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The AppCDS training of tools/dist.sh: runs weft the ways users start it and writes one class
 * list with every class those runs loaded, for {@code java -Xshare:dump}.
 *
 * <p>The runs, each a separate JVM with {@code -XX:DumpLoadedClassList}: {@code --version};
 * {@code demo --duration 1s} (client and server sessions, bulk, churn, pings); and a TCP tunnel, a
 * {@code tunnel --listen --to} exit and a {@code tunnel --connect --from} entry, through which
 * this program sends 1 MiB to an echo target of its own and reads it back, before both ends get
 * SIGTERM and drain. The lists are merged: their "id:" numbers are dropped (they only matter for
 * classes of custom loaders, which weft has none of) and repeated lines kept once.
 *
 * <p>Usage: {@code java tools/CdsTraining.java WORK_DIR OUT.lst WEFT_JAR -- JAVA [JVM_OPTION...]}.
 */
public final class CdsTraining {

    private static final int TIMEOUT_SECONDS = 60;

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String jar = args[2];
        if (!args[3].equals("--")) {
            throw new IllegalArgumentException("usage: WORK_DIR OUT.lst WEFT_JAR -- JAVA [JVM_OPTION...]");
        }
        List<String> java = Arrays.asList(args).subList(4, args.length);
        Files.createDirectories(work);
        List<Path> lists = new ArrayList<>();

        lists.add(runToEnd(java, jar, work, "version", "--version"));
        lists.add(runToEnd(java, jar, work, "demo", "demo", "--duration", "1s"));
        lists.addAll(tunnel(java, jar, work));

        Set<String> merged = new LinkedHashSet<>();
        for (Path list : lists) {
            for (String line : Files.readAllLines(list)) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    merged.add(line.replaceFirst(" id: \\d+$", ""));
                }
            }
        }
        Files.write(out, merged);
        System.out.println(merged.size() + " classes and call sites from " + lists.size() + " runs");
    }

    private static Path runToEnd(List<String> java, String jar, Path work, String name, String... weftArgs)
            throws Exception {
        Path list = work.resolve(name + ".lst");
        Process p = start(java, jar, work, name, list, weftArgs);
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("training run '" + name + "' failed; see " + work.resolve(name + ".log"));
        }
        return list;
    }

    private static List<Path> tunnel(List<String> java, String jar, Path work) throws Exception {
        try (ServerSocket target = new ServerSocket()) {
            target.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread echo = new Thread(() -> echo(target), "echo-target");
            echo.setDaemon(true);
            echo.start();
            int port = freePort();
            int entry = freePort();
            Path serverList = work.resolve("tunnel-exit.lst");
            Path clientList = work.resolve("tunnel-entry.lst");
            Process server = start(java, jar, work, "tunnel-exit", serverList,
                    "tunnel", "--listen", "127.0.0.1:" + port, "--to", "127.0.0.1:" + target.getLocalPort());
            Process client = null;
            try {
                awaitListening(port, server);
                client = start(java, jar, work, "tunnel-entry", clientList,
                        "tunnel", "--connect", "127.0.0.1:" + port, "--from", "127.0.0.1:" + entry);
                awaitListening(entry, client);
                roundTrip(entry, 1 << 20);
                stop(client, "tunnel-entry", work);
                stop(server, "tunnel-exit", work);
            } finally {
                server.destroyForcibly();
                if (client != null) {
                    client.destroyForcibly();
                }
            }
            return List.of(serverList, clientList);
        }
    }

    private static Process start(List<String> java, String jar, Path work, String name, Path list, String... weftArgs)
            throws IOException {
        List<String> command = new ArrayList<>(java);
        command.add("-XX:DumpLoadedClassList=" + list);
        command.add("-jar");
        command.add(jar);
        command.addAll(Arrays.asList(weftArgs));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile()).start();
    }

    /** SIGTERM, as a service manager stops weft: it drains and exits 0. */
    private static void stop(Process p, String name, Path work) throws Exception {
        p.destroy();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("training run '" + name + "' did not stop cleanly; see " + work.resolve(name + ".log"));
        }
    }

    private static void roundTrip(int port, int bytes) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(TIMEOUT_SECONDS * 1000);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    byte[] chunk = new byte[16 * 1024];
                    for (int sent = 0; sent < bytes; sent += chunk.length) {
                        out.write(chunk);
                    }
                    s.shutdownOutput();
                } catch (IOException e) {
                    // the read below fails too
                }
            });
            writer.start();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                got += n;
            }
            if (got != bytes) {
                throw new IOException("tunnel training: " + got + " of " + bytes + " bytes came back");
            }
        }
    }

    private static void echo(ServerSocket target) {
        while (true) {
            try {
                Socket s = target.accept();
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                        s.shutdownOutput();
                    } catch (IOException e) {
                        // the training round trip reports short data
                    }
                });
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits until {@code port} accepts a connection (a probe the tunnel end sees and drops). */
    private static void awaitListening(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("training process exited " + p.exitValue() + " before listening on " + port);
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(10);
            }
        }
        throw new IOException("nothing listening on " + port + " after " + TIMEOUT_SECONDS + " s");
    }
}

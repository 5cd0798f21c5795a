package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft tunnel}: entry and exit as processes, the yamux connection over TCP or a unix socket. */
class TunnelEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Starts the exit side forwarding to {@code target} and the entry side connected to it; returns the entry address. */
    private static String tunnel(WeftProcess[] procs, String yamuxListen, String target, String... entryExtra)
            throws IOException {
        procs[0] = WeftProcess.start("tunnel", "--listen", yamuxListen, "--to", target);
        String yamux = procs[0].awaitListening("yamux:", TIMEOUT);
        List<String> args = new java.util.ArrayList<>(List.of("tunnel", "--connect", yamux, "--from", "127.0.0.1:0"));
        args.addAll(List.of(entryExtra));
        procs[1] = WeftProcess.start(args.toArray(String[]::new));
        return procs[1].awaitListening("entry:", TIMEOUT);
    }

    private static void closeAll(WeftProcess[] procs) {
        for (WeftProcess p : procs) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Test
    void hundredConcurrentConnectionsCrossOneYamuxConnectionIntact() throws Exception {
        WeftProcess[] procs = new WeftProcess[2];
        try (var target = new TcpPeers.Server(TcpPeers::echo)) {
            String entry = tunnel(procs, "127.0.0.1:0", target.address());
            assertThat(TcpPeers.echoConcurrently(entry, 100, 64 * 1024)).isEqualTo(100L * 64 * 1024);
        } finally {
            closeAll(procs);
        }
    }

    @Test
    void halfCloseReachesTheTargetAndTheAnswerComesBackOverUnixTransport(@TempDir Path dir) throws Exception {
        WeftProcess[] procs = new WeftProcess[2];
        try (var target = new TcpPeers.Server(TcpPeers::answerAfterEof)) {
            String entry = tunnel(procs, "unix:" + dir.resolve("yamux.sock"), target.address());
            try (Socket client = TcpPeers.connect(entry)) {
                byte[] request = new byte[300_000];
                new java.util.Random(3).nextBytes(request);
                client.getOutputStream().write(request);
                client.shutdownOutput(); // the target answers only after seeing EOF
                String answer = new String(client.getInputStream().readAllBytes());
                assertThat(answer).isEqualTo("got 300000 bytes " + TcpPeers.sha256Hex(request));
            }
        } finally {
            closeAll(procs);
        }
    }

    @Test
    void targetResetAndTargetRefusedEndOnlyThatConnection() throws Exception {
        WeftProcess[] procs = new WeftProcess[2];
        int port = TcpPeers.freePort();
        try {
            String entry = tunnel(procs, "127.0.0.1:0", "127.0.0.1:" + port);
            try (Socket refused = TcpPeers.connect(entry)) {
                assertThat(TcpPeers.readOrReset(refused.getInputStream())).as("read after refusal").isEqualTo(-2);
            }
            // One server on the port, first resetting every connection, then echoing.
            AtomicReference<TcpPeers.Handler> mode = new AtomicReference<>(TcpPeers::reset);
            try (var target = new TcpPeers.Server(port, socket -> mode.get().handle(socket))) {
                assertThat(target.port()).isEqualTo(port);
                try (Socket reset = TcpPeers.connect(entry)) {
                    reset.getOutputStream().write('x');
                    assertThat(TcpPeers.readOrReset(reset.getInputStream())).as("read after target reset").isEqualTo(-2);
                }
                mode.set(TcpPeers::echo);
                assertThat(TcpPeers.echoOnce(entry, 50_000, 9)).isEqualTo(50_000);
            }
            assertThat(procs[1].stderr()).doesNotContain("lost");
        } finally {
            closeAll(procs);
        }
    }

    @Test
    void clientResetReachesTheTargetAsAResetNotAnEof() throws Exception {
        WeftProcess[] procs = new WeftProcess[2];
        CompletableFuture<String> outcome = new CompletableFuture<>();
        AtomicBoolean first = new AtomicBoolean(true);
        try (var target = new TcpPeers.Server(socket -> {
            if (!first.getAndSet(false)) {
                TcpPeers.echo(socket); // later connections: is the session still fine?
                return;
            }
            socket.setSoTimeout(30_000);
            long bytes = 0;
            try {
                for (int n; (n = socket.getInputStream().read(new byte[8192])) >= 0; ) {
                    bytes += n;
                }
                outcome.complete("EOF after " + bytes + " bytes");
            } catch (SocketException e) {
                outcome.complete("reset after " + bytes + " bytes");
            }
        })) {
            String entry = tunnel(procs, "127.0.0.1:0", target.address());
            try (Socket client = TcpPeers.connect(entry)) {
                client.getOutputStream().write(new byte[1400]);
                client.setSoLinger(true, 0); // close sends RST
            }
            assertThat(outcome.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).startsWith("reset");
            assertThat(TcpPeers.echoOnce(entry, 10_000, 4)).as("the session lives on").isEqualTo(10_000);
        } finally {
            closeAll(procs);
        }
    }

    @Test
    void entryReconnectsAfterTheYamuxConnectionIsCut() throws Exception {
        WeftProcess[] procs = new WeftProcess[2];
        try (var target = new TcpPeers.Server(TcpPeers::echo)) {
            procs[0] = WeftProcess.start("tunnel", "--listen", "127.0.0.1:0", "--to", target.address());
            String yamux = procs[0].awaitListening("yamux:", TIMEOUT);
            try (Relay relay = new Relay(yamux)) {
                procs[1] = WeftProcess.start("tunnel", "--connect", relay.address(), "--from", "127.0.0.1:0",
                        "--retry-min", "50ms", "--retry-max", "500ms");
                String entry = procs[1].awaitListening("entry:", TIMEOUT);
                assertThat(procs[1].awaitStderr("connected to", 1, TIMEOUT)).isTrue();
                assertThat(TcpPeers.echoOnce(entry, 10_000, 1)).isEqualTo(10_000);

                relay.cut();

                assertThat(procs[1].awaitStderr("lost", 1, TIMEOUT)).as(procs[1].stderr()).isTrue();
                assertThat(procs[1].awaitStderr("connected to", 2, TIMEOUT)).as(procs[1].stderr()).isTrue();
                assertThat(TcpPeers.echoOnce(entry, 10_000, 2)).isEqualTo(10_000);
            }
        } finally {
            closeAll(procs);
        }
    }

    @Test
    void connectBacksOffFromAPeerThatSpeaksGarbageAndGivesUpAfterMaxRetries() throws Exception {
        List<Long> acceptedNanos = new CopyOnWriteArrayList<>();
        try (var peer = new TcpPeers.Server(socket -> {
            acceptedNanos.add(System.nanoTime());
            socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
            socket.getInputStream().transferTo(OutputStream.nullOutputStream()); // until weft hangs up
        });
                WeftProcess entry = WeftProcess.start("tunnel", "--connect", peer.address(), "--from", "127.0.0.1:0",
                        "--retry-min", "100ms", "--retry-max", "400ms", "--max-retries", "3")) {
            entry.assertExit(Failures.PROTOCOL, TIMEOUT);

            // The first try and 3 retries, each after the backoff: 100ms, 200ms, 400ms.
            assertThat(acceptedNanos).as(entry.stderr()).hasSize(4);
            long[] minimumGapMillis = {100, 200, 400};
            for (int i = 0; i < 3; i++) {
                long gapMillis = (acceptedNanos.get(i + 1) - acceptedNanos.get(i)) / 1_000_000;
                // Measured at the test's accept, which may lag the connect a little: 80% of the wait.
                assertThat(gapMillis).as("gap before retry %d; stderr:%n%s", i + 1, entry.stderr())
                        .isGreaterThanOrEqualTo(minimumGapMillis[i] * 8 / 10);
            }
            assertThat(entry.stderr()).contains("after 4 tries: peer at " + peer.address()
                    + " does not speak yamux (it sent \"HTTP/1.1 400 Bad Request\\r\\n\\r\\n\")");
        }
    }

    /** A TCP relay in front of the exit side whose connections the test can cut, like a dropped link. */
    private static final class Relay implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Relay(String target) throws IOException {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket in = server.accept();
                        Socket out = TcpPeers.connect(target);
                        out.setSoTimeout(0);
                        in.setSoTimeout(0);
                        sockets.add(in);
                        sockets.add(out);
                        Pipes.pump(in.getInputStream(), out.getOutputStream());
                        Pipes.pump(out.getInputStream(), in.getOutputStream());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        /** Closes every relayed connection; new ones are still accepted. */
        void cut() throws IOException {
            for (Socket s : sockets) {
                s.close();
            }
            sockets.clear();
        }

        @Override
        public void close() throws IOException {
            server.close();
            cut();
        }
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.yamux.interop.GoPeer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft stdio} as processes joined by pipes, as in
 * {@code cat p | weft stdio localhost 80 | weft stdio -l 8080 > p}, with real TCP traffic through
 * them; and against Go's yamux (the weftpeer program's yamux-cli–compatible stdio mode) in both roles.
 */
class StdioEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void twoStdioProcessesForwardConcurrentTcpConnectionsIntact() throws Exception {
        try (var target = new TcpPeers.Server(TcpPeers::echo);
                WeftProcess exit = WeftProcess.startPiped("stdio", "127.0.0.1", String.valueOf(target.port()));
                WeftProcess entry = WeftProcess.startPiped("stdio", "-l", "127.0.0.1", "0")) {
            join(exit.stdoutStream(), exit.stdin(), entry.stdoutStream(), entry.stdin());
            String address = entry.awaitListening(TIMEOUT);

            // Each connection writes, half-closes, and reads the echo to EOF: half-close crosses both processes.
            assertThat(TcpPeers.echoConcurrently(address, 20, 256 * 1024)).isEqualTo(20L * 256 * 1024);

            entry.stdin().close(); // the session's transport ends: both sides exit cleanly
            entry.assertExit(0, TIMEOUT);
            exit.assertExit(0, TIMEOUT);
        }
    }

    @Test
    void inputEndingInTheMiddleOfAFrameExitsNonZeroWithAMessage() throws Exception {
        try (WeftProcess exit = WeftProcess.startPiped("stdio", "127.0.0.1", "9")) {
            byte[] ping = {0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7}; // a whole PING(SYN, 7) frame
            byte[] cut = {0, 1, 0, 1, 0}; // 5 of a window update's 12 header bytes
            exit.stdin().write(ping);
            exit.stdin().write(cut);
            exit.stdin().close();
            int code = exit.awaitExit(TIMEOUT);
            assertThat(code).as(exit.stderr()).isEqualTo(Failures.IO);
            assertThat(exit.stderr()).contains("weft stdio: stdin ended in the middle of a yamux frame");
        }
    }

    @Test
    void refusedTargetResetsOnlyThatStreamAndTheSessionLivesOn() throws Exception {
        int port = TcpPeers.freePort();
        try (WeftProcess exit = WeftProcess.startPiped("stdio", "127.0.0.1", String.valueOf(port));
                WeftProcess entry = WeftProcess.startPiped("stdio", "-l", "127.0.0.1", "0")) {
            join(exit.stdoutStream(), exit.stdin(), entry.stdoutStream(), entry.stdin());
            String address = entry.awaitListening(TIMEOUT);

            try (Socket refused = TcpPeers.connect(address)) {
                // The stream was reset, so the local connection is reset too: no clean EOF.
                assertThat(TcpPeers.readOrReset(refused.getInputStream())).as("read after refusal").isEqualTo(-2);
            }
            assertThat(exit.awaitStderr("cannot reach 127.0.0.1:" + port, 1, TIMEOUT)).isTrue();

            try (var target = new TcpPeers.Server(port, TcpPeers::echo)) {
                assertThat(target.port()).isEqualTo(port);
                assertThat(TcpPeers.echoOnce(address, 100_000, 7)).isEqualTo(100_000);
            }
            assertThat(entry.process().isAlive()).isTrue();
            assertThat(exit.process().isAlive()).isTrue();
        }
    }

    @Test
    void weftServerRoleWorksWithGoYamuxClientRole() throws Exception {
        try (var target = new TcpPeers.Server(TcpPeers::echo);
                WeftProcess exit = WeftProcess.startPiped("stdio", "127.0.0.1", String.valueOf(target.port()));
                GoPeer entry = GoPeer.startStdio("-l", "127.0.0.1", "0")) {
            join(exit.stdoutStream(), exit.stdin(), entry.stdoutStream(), entry.stdin());
            String address = entry.awaitListening(TIMEOUT);
            assertThat(echoExactConcurrently(address, 16, 200_000)).isEqualTo(16L * 200_000);
        }
    }

    @Test
    void weftClientRoleWorksWithGoYamuxServerRole() throws Exception {
        try (var target = new TcpPeers.Server(TcpPeers::echo);
                GoPeer exit = GoPeer.startStdio("127.0.0.1", String.valueOf(target.port()));
                WeftProcess entry = WeftProcess.startPiped("stdio", "-l", "127.0.0.1", "0")) {
            join(exit.stdoutStream(), exit.stdin(), entry.stdoutStream(), entry.stdin());
            String address = entry.awaitListening(TIMEOUT);
            assertThat(echoExactConcurrently(address, 16, 200_000)).isEqualTo(16L * 200_000);
        }
    }

    @Test
    void unixSocketsAtBothEndsForwardIntact(@TempDir Path dir) throws Exception {
        Path targetPath = dir.resolve("target.sock");
        Path entryPath = dir.resolve("entry.sock");
        try (ServerSocketChannel target = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            target.bind(UnixDomainSocketAddress.of(targetPath));
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        SocketChannel accepted = target.accept();
                        Thread.ofVirtual().start(() -> echoUntilEof(accepted));
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            try (WeftProcess exit = WeftProcess.startPiped("stdio", "-U", targetPath.toString());
                    WeftProcess entry = WeftProcess.startPiped("stdio", "-U", "-l", entryPath.toString())) {
                join(exit.stdoutStream(), exit.stdin(), entry.stdoutStream(), entry.stdin());
                assertThat(entry.awaitListening(TIMEOUT)).isEqualTo("unix:" + entryPath);
                for (int i = 0; i < 5; i++) {
                    byte[] sent = new byte[64 * 1024 + i];
                    new SplittableRandom(i).nextBytes(sent);
                    try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(entryPath))) {
                        client.write(ByteBuffer.wrap(sent));
                        client.shutdownOutput(); // half-close crosses both processes to the target
                        ByteArrayOutputStream received = new ByteArrayOutputStream();
                        ByteBuffer buffer = ByteBuffer.allocate(8192);
                        while (client.read(buffer.clear()) >= 0) {
                            received.write(buffer.array(), 0, buffer.position());
                        }
                        assertThat(received.toByteArray()).as("connection %d", i).isEqualTo(sent);
                    }
                }
                entry.stdin().close();
                entry.assertExit(0, TIMEOUT);
                exit.assertExit(0, TIMEOUT);
            }
        }
    }

    @Test
    void sigtermInClientRoleSendsGoAwayNormalOnStdoutAndExits130() throws Exception {
        // stdout to a file, stdin a pipe the test keeps open: the session ends only by the signal.
        try (WeftProcess p = WeftProcess.start("stdio", "--drain", "200ms", "-l", "127.0.0.1", "0")) {
            p.awaitListening(TIMEOUT); // logged once the signal handling is in place
            p.terminate();
            p.assertExit(130, TIMEOUT);
            byte[] stdout = p.stdoutBytes();

            // Frames only: 12-byte headers, data frames followed by their payload. One GoAway(0) among them.
            ByteBuffer frames = ByteBuffer.wrap(stdout);
            List<String> goAways = new ArrayList<>();
            while (frames.remaining() >= 12) {
                byte version = frames.get();
                byte type = frames.get();
                frames.getShort(); // flags
                frames.getInt(); // stream id
                int length = frames.getInt();
                assertThat(version).as("version byte").isZero();
                if (type == 0) {
                    frames.position(frames.position() + length);
                } else if (type == 3) {
                    goAways.add("GoAway(" + length + ")");
                }
            }
            assertThat(frames.remaining()).as("bytes after the last whole frame").isZero();
            assertThat(goAways).as("stdout %s; stderr:%n%s", java.util.HexFormat.of().formatHex(stdout), p.stderr()).containsExactly("GoAway(0)");
        }
    }

    private static void echoUntilEof(SocketChannel channel) {
        try (channel) {
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer.clear()) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
            channel.shutdownOutput();
        } catch (IOException e) {
            // the peer went away; the test's comparison reports it
        }
    }

    /** Cross-wires two stdio peers: each one's stdout feeds the other's stdin. */
    private static void join(InputStream aOut, OutputStream aIn, InputStream bOut, OutputStream bIn) {
        Pipes.pump(aOut, bIn);
        Pipes.pump(bOut, aIn);
    }

    /**
     * Echo without relying on half-close (the Go stdio peer, like yamux-cli, only closes a stream
     * once both directions ended): write N bytes, read exactly N back, compare, close.
     */
    static long echoExactConcurrently(String address, int connections, int bytes) throws Exception {
        List<Future<Long>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < connections; i++) {
                long seed = 100 + i;
                results.add(pool.submit(() -> echoExact(address, bytes, seed)));
            }
            long total = 0;
            for (Future<Long> f : results) {
                total += f.get();
            }
            return total;
        }
    }

    private static long echoExact(String address, int bytes, long seed) throws IOException, InterruptedException {
        byte[] data = new byte[bytes];
        new SplittableRandom(seed).nextBytes(data);
        try (Socket s = TcpPeers.connect(address)) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(data);
                } catch (IOException ignored) {
                    // the reader reports it
                }
            });
            byte[] echoed = s.getInputStream().readNBytes(bytes);
            writer.join();
            assertThat(TcpPeers.sha256Hex(echoed)).isEqualTo(TcpPeers.sha256Hex(data));
            return echoed.length;
        }
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Plain java.net TCP servers and clients for the end-to-end tests (deliberately not netpoll, so
 * the test side does not share code with what it tests). Server threads are virtual.
 */
final class TcpPeers {

    private TcpPeers() {}

    /** What a test server does with each connection. */
    @FunctionalInterface
    interface Handler {
        void handle(Socket socket) throws IOException;
    }

    /** A loopback TCP server running {@code handler} per connection until closed. */
    static final class Server implements AutoCloseable {
        final ServerSocket socket;

        Server(Handler handler) throws IOException {
            this(0, handler);
        }

        Server(int port, Handler handler) throws IOException {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            Thread.ofVirtual().name("test server").start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                handler.handle(s);
                            } catch (IOException ignored) {
                                // the client went away
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        String address() {
            return "127.0.0.1:" + port();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Echoes until EOF, then half-closes and closes. */
    static void echo(Socket s) throws IOException {
        s.getInputStream().transferTo(s.getOutputStream());
        s.shutdownOutput();
    }

    /** Reads the whole request to EOF first, then answers with its length and SHA-256: needs half-close. */
    static void answerAfterEof(Socket s) throws IOException {
        byte[] request = s.getInputStream().readAllBytes();
        s.getOutputStream().write(("got " + request.length + " bytes " + sha256Hex(request)).getBytes());
        s.shutdownOutput();
    }

    /** Resets every connection at once (SO_LINGER 0 then close sends RST). */
    static void reset(Socket s) throws IOException {
        s.getInputStream().read();
        s.setSoLinger(true, 0);
        s.close();
    }

    /** A free loopback port, with nothing listening on it afterwards. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    static Socket connect(String address) throws IOException {
        int colon = address.lastIndexOf(':');
        Socket s = new Socket(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        s.setSoTimeout(30_000);
        return s;
    }

    /**
     * Opens {@code connections} connections to {@code address} at once; on each writes
     * {@code bytes} seeded random bytes, half-closes, reads the echo to EOF and checks its SHA-256.
     *
     * @return the number of bytes verified
     */
    static long echoConcurrently(String address, int connections, int bytes) throws Exception {
        List<Callable<Long>> tasks = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            long seed = i;
            tasks.add(() -> echoOnce(address, bytes, seed));
        }
        long total = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Long> f : pool.invokeAll(tasks)) {
                total += f.get();
            }
        }
        return total;
    }

    /** One connection: write, half-close, read the echo to EOF, compare digests. */
    static long echoOnce(String address, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new SplittableRandom(seed).nextBytes(data);
        try (Socket s = connect(address)) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(data);
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // the read side reports the failure
                }
            });
            byte[] echoed = s.getInputStream().readAllBytes();
            writer.join();
            assertThat(echoed.length).as("echoed length").isEqualTo(bytes);
            assertThat(sha256Hex(echoed)).as("echo digest").isEqualTo(sha256Hex(data));
            return bytes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Reads what is left on the socket; returns -2 for a reset or timeout instead of throwing. */
    static int readOrReset(InputStream in) {
        try {
            return in.read();
        } catch (SocketException e) {
            return -2;
        } catch (IOException e) {
            return -3;
        }
    }

    static String sha256Hex(byte[] data) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.weft.yamux.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import io.weft.netpoll.tls.Tls;
import io.weft.netpoll.tls.TlsConfig;
import io.weft.netpoll.tls.TlsConn;
import io.weft.yamux.RemoteGoAwayException;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Shared pieces of the Go interop tests: checksummed echo, a Java yamux server, address helpers. */
final class InteropSupport {

    static final Duration TIMEOUT = Duration.ofSeconds(45);

    private InteropSupport() {
    }

    static String hostPort(SocketAddress address) {
        InetSocketAddress a = (InetSocketAddress) address;
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Opens {@code streams} streams at once on {@code session} and echoes {@code bytes} seeded
     * bytes over each ({@link #echoRoundTrip}), waiting for all of them.
     */
    static void echoOnConcurrentStreams(Session session, int streams, long bytes, ExecutorService executor) throws Exception {
        List<Future<?>> results = new java.util.ArrayList<>();
        for (int i = 0; i < streams; i++) {
            long seed = i;
            results.add(executor.submit(() -> {
                echoRoundTrip(session.openStream(TIMEOUT), bytes, seed, executor);
                return null;
            }));
        }
        for (Future<?> f : results) {
            f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * Writes {@code bytes} seeded random bytes on {@code stream} from a second thread, half-closes,
     * reads the echo until EOF on this thread, and asserts length and SHA-256 are equal.
     */
    /**
     * Waits until the peer's GoAway(0) has arrived (opening nothing meanwhile: a stream opened
     * towards a peer that hangs up after its GoAway would be answered with a TCP reset, which can
     * overtake the GoAway's bytes in our socket), then asserts that a new open is refused with
     * {@link RemoteGoAwayException}. A peer that hangs up after its GoAway ({@code peerHangsUp}:
     * the JS library closes its socket once its muxer is closed) may have ended the session by
     * then; the open is refused with {@link io.weft.yamux.SessionClosedException} in that case.
     */
    static void assertGoAwayRefusesOpens(Session session, boolean peerHangsUp) {
        await().atMost(TIMEOUT).until(session::remoteGoAway);
        assertThat(session.stats().goAwayCodeReceived()).isZero();
        Throwable refusal = org.assertj.core.api.Assertions.catchThrowable(session::openStream);
        if (peerHangsUp && refusal instanceof io.weft.yamux.SessionClosedException && session.isClosed()) {
            return;
        }
        assertThat(refusal).isInstanceOf(RemoteGoAwayException.class);
        assertThat(((RemoteGoAwayException) refusal).code()).isZero();
    }

    static void echoRoundTrip(Stream stream, long bytes, long seed, ExecutorService executor) throws Exception {
        echoRoundTrip(stream, bytes, seed, executor, TIMEOUT);
    }

    /** {@link #echoRoundTrip(Stream, long, long, ExecutorService)} with its own deadline, for bulk runs. */
    static void echoRoundTrip(Stream stream, long bytes, long seed, ExecutorService executor, Duration timeout)
            throws Exception {
        stream.setReadDeadline(Instant.now().plus(timeout));
        MessageDigest sent = sha256();
        Future<?> writer = executor.submit(() -> {
            Random random = new Random(seed);
            byte[] chunk = new byte[64 * 1024];
            long left = bytes;
            while (left > 0) {
                int n = (int) Math.min(chunk.length, left);
                random.nextBytes(chunk);
                sent.update(chunk, 0, n);
                stream.write(ByteBuffer.wrap(chunk, 0, n));
                left -= n;
            }
            stream.closeWrite();
            return null;
        });
        MessageDigest received = sha256();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long total = 0;
        int n;
        while ((n = stream.read(buf)) >= 0) {
            received.update(buf.array(), 0, n);
            total += n;
            buf.clear();
        }
        writer.get(timeout.toSeconds(), TimeUnit.SECONDS);
        assertThat(total).as("echoed bytes on stream %d", stream.id()).isEqualTo(bytes);
        assertThat(received.digest()).as("echo SHA-256 on stream %d", stream.id()).isEqualTo(sent.digest());
    }

    /** Echoes a stream until EOF, then closes it: the Java side of Go's echo-client. */
    static void echo(Stream stream) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (stream.read(buf) >= 0) {
            buf.flip();
            stream.write(buf);
            buf.clear();
        }
        stream.close();
    }

    /** What a Java server does with each session it accepts. */
    interface SessionHandler {
        void handle(Session session, JavaServer server) throws Exception;
    }

    /**
     * A Java yamux server on loopback for Go clients: each accepted connection becomes a server
     * session handed to the handler on its own virtual thread. Handler failures are collected and
     * reported by {@link #assertNoFailures()}. With TLS each connection's handshake runs first, on
     * that connection's own thread (a stuck or refused client does not hold up the others); failed
     * handshakes are kept in {@link #handshakeFailures()}, completed ones in {@link #tlsConns()}.
     */
    static final class JavaServer implements AutoCloseable {
        private final Listener netpollListener;
        private final ServerSocketChannel jdkListener;
        private final YamuxConfig config;
        private final TlsConfig tls;
        private final SessionHandler handler;
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private final List<Session> sessions = new CopyOnWriteArrayList<>();
        private final List<Throwable> failures = new CopyOnWriteArrayList<>();
        private final List<TlsConn> tlsConns = new CopyOnWriteArrayList<>();
        private final List<IOException> handshakeFailures = new CopyOnWriteArrayList<>();

        private JavaServer(Listener netpoll, ServerSocketChannel jdk, YamuxConfig config, TlsConfig tls,
                SessionHandler handler) {
            this.netpollListener = netpoll;
            this.jdkListener = jdk;
            this.config = config;
            this.tls = tls;
            this.handler = handler;
            executor.submit(this::acceptLoop);
        }

        /** Listens with netpoll TCP. */
        static JavaServer netpoll(YamuxConfig config, SessionHandler handler) throws IOException {
            return new JavaServer(Net.listen("tcp", "127.0.0.1:0"), null, config, null, handler);
        }

        /** Listens with netpoll TCP; every connection is {@link Tls#server TLS} with {@code tls}. */
        static JavaServer tls(YamuxConfig config, TlsConfig tls, SessionHandler handler) throws IOException {
            return new JavaServer(Net.listen("tcp", "127.0.0.1:0"), null, config, tls, handler);
        }

        /** Listens with a JDK {@link ServerSocketChannel}; sessions run over blocking {@link SocketChannel}s. */
        static JavaServer jdk(YamuxConfig config, SessionHandler handler) throws IOException {
            ServerSocketChannel channel = ServerSocketChannel.open();
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
            return new JavaServer(null, channel, config, null, handler);
        }

        /** The TLS handshakes that failed so far, in order. */
        List<IOException> handshakeFailures() {
            return handshakeFailures;
        }

        /** The TLS connections whose handshake completed, in order. */
        List<TlsConn> tlsConns() {
            return tlsConns;
        }

        String address() {
            try {
                return hostPort(netpollListener != null ? netpollListener.address() : jdkListener.getLocalAddress());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        private Void acceptLoop() {
            while (true) {
                Session session;
                try {
                    if (tls != null) {
                        Conn conn = netpollListener.accept();
                        executor.submit(() -> handshakeThenServe(conn));
                        continue;
                    } else if (netpollListener != null) {
                        Conn conn = netpollListener.accept();
                        session = Session.server(conn, config);
                    } else {
                        session = Session.server(jdkListener.accept(), config);
                    }
                } catch (IOException e) {
                    return null; // listener closed
                }
                serve(session);
            }
        }

        private Void handshakeThenServe(Conn conn) throws IOException {
            TlsConn tlsConn = Tls.server(conn, tls);
            try {
                tlsConn.handshake();
            } catch (IOException e) {
                handshakeFailures.add(e);
                tlsConn.close();
                return null;
            }
            tlsConns.add(tlsConn);
            serve(Session.server(tlsConn, config));
            return null;
        }

        private void serve(Session session) {
            sessions.add(session);
            executor.submit(() -> {
                try {
                    handler.handle(session, this);
                } catch (Throwable t) {
                    failures.add(t);
                }
                return null;
            });
        }

        /** Runs a task on the server's executor (virtual threads), e.g. one echo per stream. */
        <T> Future<T> submit(java.util.concurrent.Callable<T> task) {
            return executor.submit(() -> {
                try {
                    return task.call();
                } catch (Throwable t) {
                    failures.add(t);
                    throw t;
                }
            });
        }

        void assertNoFailures() {
            if (!failures.isEmpty()) {
                AssertionError error = new AssertionError("Java server handler failed: " + failures.get(0));
                failures.forEach(error::addSuppressed);
                throw error;
            }
        }

        @Override
        public void close() throws IOException {
            if (netpollListener != null) {
                netpollListener.close();
            } else {
                jdkListener.close();
            }
            sessions.forEach(Session::close);
            executor.shutdownNow();
        }
    }

    /** Accepts streams until the session ends and echoes each on its own thread. */
    static SessionHandler echoEveryStream() {
        return (session, server) -> {
            while (true) {
                Stream stream;
                try {
                    stream = session.acceptStream();
                } catch (IOException e) {
                    return; // the client closed the session
                }
                server.submit(() -> {
                    echo(stream);
                    return null;
                });
            }
        };
    }
}

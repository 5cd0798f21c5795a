package io.weft.netpoll.tls;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Net;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One execution of the TLS fuzz target: a server {@link TlsConn} over {@link Net#pipe()} whose
 * peer sends one input's bytes, raw, as its side of the connection.
 *
 * <p>Input: byte 0 is the mode, the rest is sent as is. Mode bits: 0x01 a real client ({@link
 * TlsConn}) first completes the handshake and the bytes follow it on the same connection (they
 * hit the record layer after the keys are set); otherwise they are the whole client side, from
 * the ClientHello on. 0x02 the connection stays open after the bytes, so only the handshake
 * timeout or the read deadline ({@link #PATIENCE}) ends the server's wait; otherwise the client
 * ends it (EOF).
 *
 * <p>Invariants, each failure an {@link AssertionError}: the server's handshake, read and write
 * end within {@link #BOUND} of the end of input (the handshake timeout is out of reach then), or
 * of {@link #PATIENCE} when the connection stays open, and throw nothing but {@link
 * IOException}s; the client's blocked write is released when the server closes; {@link TlsConn#close()} returns within {@link
 * #BOUND}; bytes that are not the real client's cannot complete a handshake.
 */
final class TlsFuzzRun {
    static final int AFTER_HANDSHAKE = 0x01;
    static final int STAY_OPEN = 0x02;
    /** The handshake timeout and read deadline when the connection stays open. */
    static final Duration PATIENCE = Duration.ofMillis(50);
    /** Time any step may take beyond what it waits for; generous, a loaded CI machine is slow. */
    static final Duration BOUND = Duration.ofSeconds(10);
    /** With EOF the end of input alone must end the handshake: its timeout is out of reach. */
    private static final TlsConfig SERVER = TestTls.server(Duration.ofMillis(100)).toBuilder()
            .handshakeTimeout(BOUND.multipliedBy(3))
            .build();
    private static final TlsConfig IMPATIENT_SERVER = SERVER.toBuilder().handshakeTimeout(PATIENCE).build();
    private static final TlsConfig CLIENT = TestTls.client(Duration.ofMillis(100));

    private final Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();

    private TlsFuzzRun() {}

    /** Runs one input; throws {@link AssertionError} when an invariant does not hold. */
    static void check(byte[] data) throws Exception {
        new TlsFuzzRun().run(data);
    }

    private void run(byte[] data) throws Exception {
        int mode = data.length == 0 ? 0 : data[0] & 0xFF;
        Net.Pipe pipe = Net.pipe();
        Conn raw = pipe.first();
        TlsConn server = Tls.server(pipe.second(), mode == STAY_OPEN ? IMPATIENT_SERVER : SERVER);
        try {
            if ((mode & AFTER_HANDSHAKE) != 0) {
                handshakeWithRealClient(raw, server);
            }
            boolean stayOpen = (mode & STAY_OPEN) != 0;
            CompletableFuture<Void> drained = async(() -> drain(raw));
            CompletableFuture<Void> served = async(() -> serve(server, (mode & AFTER_HANDSHAKE) != 0, stayOpen));
            CompletableFuture<Void> written = async(() -> {
                raw.write(ByteBuffer.wrap(data, Math.min(1, data.length), Math.max(0, data.length - 1)));
                if (!stayOpen) {
                    raw.closeWrite();
                }
            });
            await(served, "the server's handshake and reads", stayOpen);
            await(async(server::close), "close()", false);
            await(written, "the client's write, once the server closed", false);
            raw.close();
            await(drained, "the client's read of what the server sent, once closed", false);
        } finally {
            raw.close();
            server.underlying().close();
        }
        if (!unexpected.isEmpty()) {
            AssertionError error = new AssertionError("unexpected exception");
            unexpected.forEach(error::addSuppressed);
            throw error;
        }
    }

    /** A real client's handshake over the same raw connection the input then follows on. */
    private static void handshakeWithRealClient(Conn raw, TlsConn server) throws Exception {
        TlsConn client = Tls.client(raw, CLIENT, "localhost");
        CompletableFuture<Void> serverSide = handshakeAsync(server);
        CompletableFuture<Void> clientSide = handshakeAsync(client);
        try {
            CompletableFuture.allOf(serverSide, clientSide).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            AssertionError error = new AssertionError("the real handshake failed", e);
            for (CompletableFuture<Void> side : List.of(serverSide, clientSide)) {
                side.exceptionally(t -> {
                    error.addSuppressed(t);
                    return null;
                });
            }
            throw error;
        }
        // The client TlsConn is not used again: the input goes out raw on the same connection.
    }

    private static CompletableFuture<Void> handshakeAsync(TlsConn conn) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("tls-fuzz-handshake").start(() -> {
            try {
                conn.handshake();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }

    private void serve(TlsConn server, boolean handshaken, boolean stayOpen) throws IOException {
        if (stayOpen) {
            server.setReadDeadline(Instant.now().plus(PATIENCE));
        }
        try {
            server.handshake();
            if (!handshaken) {
                throw new AssertionError("bytes with no client behind them completed a handshake");
            }
            ByteBuffer buffer = ByteBuffer.allocate(8 * 1024);
            while (server.read(buffer.clear()) >= 0) {
                server.write(buffer.flip());
            }
        } catch (IOException expected) {
            // a handshake failure, a bad record, truncation, a deadline: all typed, all fine
        }
    }

    private static void drain(Conn raw) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32 * 1024);
        try {
            while (raw.read(buffer.clear()) >= 0) {
                // what the server says (alerts, tickets, echoes) is not judged
            }
        } catch (IOException ended) {
            // closed at teardown
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private CompletableFuture<Void> async(Call call) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("tls-fuzz").start(() -> {
            try {
                call.run();
            } catch (IOException expected) {
                // typed; the calls that must not throw one check for themselves
            } catch (Throwable t) {
                unexpected.add(t);
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    private static void await(CompletableFuture<Void> call, String what, boolean patient)
            throws InterruptedException, ExecutionException {
        Duration bound = patient ? PATIENCE.plus(BOUND) : BOUND;
        try {
            call.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not end within " + bound);
        }
    }
}

package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A yamux client session connected over loopback TCP (netpoll) to an echo server session in the
 * same process, for the demo and the in-process bench, optionally after a {@link Handshake} on
 * each end (TLS, token). The server's accept loop runs on a virtual thread. Closing closes both
 * sessions and the listener.
 */
final class LoopbackPair implements AutoCloseable {

    final Session client;
    final Session server;
    private final Listener listener;

    private LoopbackPair(Session client, Session server, Listener listener) {
        this.client = client;
        this.server = server;
        this.listener = listener;
    }

    static LoopbackPair start(YamuxConfig config) throws IOException, InterruptedException {
        return start(config, Handshake.PLAIN, Handshake.PLAIN);
    }

    /** A pair whose connection runs {@code serverSide} and {@code clientSide} before yamux. */
    static LoopbackPair start(YamuxConfig config, Handshake serverSide, Handshake clientSide)
            throws IOException, InterruptedException {
        Listener listener = Net.listen("tcp", "127.0.0.1:0");
        try {
            CompletableFuture<Session> server = new CompletableFuture<>();
            Thread.ofVirtual().name("loopback echo server").start(() -> {
                try {
                    Session s = Session.server(serverSide.run(listener.accept(), false), config);
                    server.complete(s);
                    EchoService.serve(s);
                } catch (IOException | RuntimeException e) {
                    server.completeExceptionally(e);
                }
            });
            Conn conn = Net.dial("tcp", Address.of(listener.address()).address(), Duration.ofSeconds(5));
            Session client = Session.client(clientSide.run(conn, true), config);
            return new LoopbackPair(client, server.get(10, TimeUnit.SECONDS), listener);
        } catch (ExecutionException e) {
            listener.close();
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            listener.close();
            throw new IOException("loopback server did not accept within 10s", e);
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
        server.close();
        listener.close();
    }
}

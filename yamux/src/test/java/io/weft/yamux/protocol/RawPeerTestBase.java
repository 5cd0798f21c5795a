package io.weft.yamux.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.weft.yamux.Session;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the scripted raw-frame tests: a real Weft {@link Session} over a JDK
 * {@link SocketChannel} on loopback, facing a {@link RawPeer} on the other end of the socket.
 *
 * <p>Keepalive and window auto-tuning are off by default so the only frames on the wire are the
 * ones a test provokes. Blocking Weft calls go through {@link #async}, and every wait is bounded.
 */
abstract class RawPeerTestBase {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** The quiet period of negative checks ("nothing more is sent"). */
    static final Duration QUIET = Duration.ofMillis(300);

    protected Session session;
    protected RawPeer peer;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    static YamuxConfig.Builder strict() {
        return YamuxConfig.builder().keepAliveEnabled(false).windowAutoTuning(false);
    }

    /** Weft is the client (odd ids); the raw peer opens even ids. */
    Session weftClient(YamuxConfig config) throws IOException {
        return connect(true, config, 0);
    }

    /** Weft is the server (even ids); the raw peer opens odd ids. */
    Session weftServer(YamuxConfig config) throws IOException {
        return connect(false, config, 0);
    }

    /**
     * Connects Weft to a fresh raw peer. With {@code socketBufferBytes > 0} both socket buffers
     * are made that small, so a peer that stops reading stalls Weft's writes quickly.
     */
    Session connect(boolean weftIsClient, YamuxConfig config, int socketBufferBytes) throws IOException {
        try (ServerSocket listener = new ServerSocket()) {
            if (socketBufferBytes > 0) {
                listener.setReceiveBufferSize(socketBufferBytes);
            }
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel channel = SocketChannel.open();
            if (socketBufferBytes > 0) {
                channel.setOption(java.net.StandardSocketOptions.SO_SNDBUF, socketBufferBytes);
                channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, socketBufferBytes);
            }
            channel.connect(listener.getLocalSocketAddress());
            listener.setSoTimeout((int) TIMEOUT.toMillis());
            Socket accepted = listener.accept();
            if (socketBufferBytes > 0) {
                accepted.setSendBufferSize(socketBufferBytes);
            }
            peer = new RawPeer(accepted);
            session = weftIsClient ? Session.client(channel, config) : Session.server(channel, config);
            return session;
        }
    }

    /** Runs a blocking call on a virtual thread. */
    <T> Future<T> async(Callable<T> call) {
        return executor.submit(call);
    }

    static <T> T result(Future<T> future) throws Exception {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("blocked call did not finish within " + TIMEOUT, e);
        }
    }

    /** Asserts the future fails with {@code type} within the timeout, and returns the exception. */
    static <X extends Throwable> X awaitFailure(Future<?> future, Class<X> type) {
        try {
            Object value = future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return fail("expected " + type.getSimpleName() + " but the call returned " + value);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(type);
            return type.cast(e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            return fail("expected " + type.getSimpleName() + " within " + TIMEOUT + " but the call still blocks");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /** The session's close future, bounded. */
    IOException awaitSessionEnd() throws Exception {
        CompletableFuture<IOException> end = session.closeFuture();
        return end.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    @AfterEach
    void closeEverything() throws IOException {
        executor.shutdownNow();
        if (session != null) {
            session.close();
        }
        if (peer != null) {
            peer.close();
        }
    }
}

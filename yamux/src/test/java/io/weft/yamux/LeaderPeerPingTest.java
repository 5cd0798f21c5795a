package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.Conn;
import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link YamuxConfig#peerPingListener()} is user code and runs on the session's reader thread, as
 * documented, even while a stream's caller reads the connection itself (a platform thread, or a
 * virtual thread on the session's only stream, as here)
 * ({@link SessionReader#lead}, which runs no user code): the leader leaves the ping request to the
 * reader thread, and goes on reading afterwards.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LeaderPeerPingTest extends RawTcpClientTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);


    @ParameterizedTest(name = "virtual caller {0}")
    @ValueSource(booleans = {false, true})
    void aPingRequestThatArrivesWhileACallerLeadsIsShownToTheListenerOnTheReaderThread(boolean virtual) throws Exception {
        Conn clientConn;
        Conn[] conns = SessionPair.tcpLoopback();
        clientConn = conns[0];
        raw = conns[1];
        CompletableFuture<Thread> listenerThread = new CompletableFuture<>();
        client = Session.client(clientConn, SessionPair.testConfig().keepAliveEnabled(false)
                .peerPingListener((session, opaque) -> listenerThread.complete(Thread.currentThread())).build());
        Thread.ofVirtual().start(() -> { // drops what the client sends
            ByteBuffer sink = ByteBuffer.allocate(4096);
            try {
                while (raw.read(sink.clear()) > 0) {
                    // dropped
                }
            } catch (IOException e) {
                // closed
            }
        });
        raw.write(ByteBuffer.wrap(FrameHeader.windowUpdate(2, Flags.SYN, 0).toBytes()));
        Stream mine = client.acceptStream();

        CompletableFuture<Integer> read = new CompletableFuture<>();
        Thread.Builder callers = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
        Thread caller = callers.start(() -> {
            try {
                read.complete(mine.read(ByteBuffer.allocate(16)));
            } catch (Throwable t) {
                read.completeExceptionally(t);
            }
        });
        await().atMost(PATIENCE).until(() -> client.reader().role().state() == ReadRole.LEADER);

        raw.write(ByteBuffer.wrap(FrameHeader.ping(Flags.SYN, 7).toBytes()));
        assertThat(listenerThread.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the thread the listener ran on")
                .isNotSameAs(caller);

        // Reading goes on: the caller's data still reaches it.
        byte[] frame = new byte[FrameHeader.SIZE + 3];
        FrameHeader.data(2, 0, 3).encode(frame, 0);
        raw.write(ByteBuffer.wrap(frame));
        assertThat(read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
    }
}

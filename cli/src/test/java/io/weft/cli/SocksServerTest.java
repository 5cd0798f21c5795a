package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Net;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SOCKS5 server handshake over in-memory pipes: what a silent or crowding client can hold. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SocksServerTest {

    /** Runs {@code server.handshake} on a virtual thread; the future holds its result or failure. */
    private static CompletableFuture<Object> handshakeAsync(SocksServer server, Conn conn) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(server.handshake(conn).value());
            } catch (Throwable t) {
                result.complete(t);
            }
        });
        return result;
    }

    private static void readFully(Conn conn, int bytes) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        while (b.hasRemaining()) {
            assertThat(conn.read(b)).isNotNegative();
        }
    }

    @Test
    void connectionsBeyondThePendingCapAreRefusedAtOnceAndASlotFreesWhenAHandshakeEnds() throws Exception {
        SocksServer server = new SocksServer(null, 1);
        Net.Pipe silent = Net.pipe();
        CompletableFuture<Object> first = handshakeAsync(server, silent.second());
        await().atMost(Duration.ofSeconds(5)).until(() -> server.inProgress() == 1);

        Net.Pipe crowding = Net.pipe();
        long startNanos = System.nanoTime();
        assertThatThrownBy(() -> server.handshake(crowding.second())).isInstanceOf(SocksServer.BusyException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - startNanos))
                .as("refused without waiting for the message timeout").isLessThan(SocksServer.MESSAGE_TIMEOUT);

        silent.first().close(); // the silent client goes away: its slot is free again
        assertThat(first.get(5, TimeUnit.SECONDS)).isInstanceOf(java.io.EOFException.class);
        assertThat(server.inProgress()).isZero();

        Net.Pipe next = Net.pipe();
        CompletableFuture<Object> admitted = handshakeAsync(server, next.second());
        next.first().write(ByteBuffer.wrap(new byte[] {5, 1, 0}));
        readFully(next.first(), 2);
        next.first().write(ByteBuffer.wrap(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, 0, 80}));
        assertThat(admitted.get(5, TimeUnit.SECONDS)).isEqualTo(new Destination("127.0.0.1", 80));
        assertThat(server.inProgress()).isZero();
    }

    @Test
    void aClientThatSendsEverythingAtOnceIsServedWithNothingLost() throws Exception {
        SocksServer server = new SocksServer(SocksUsers.of("bob", "pw"));
        Net.Pipe pipe = Net.pipe();
        CompletableFuture<MessageIo.Message<Destination>> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(server.handshake(pipe.second()));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        // Greeting, credentials, request and the first data bytes in one write, before any answer.
        pipe.first().write(ByteBuffer.wrap(new byte[] {
            5, 1, 2,
            1, 3, 'b', 'o', 'b', 2, 'p', 'w',
            5, 1, 0, 1, 127, 0, 0, 1, 0, 80,
            'G', 'E', 'T'}));
        readFully(pipe.first(), 2 + 2); // method selection, authentication status
        MessageIo.Message<Destination> request = result.get(5, TimeUnit.SECONDS);
        assertThat(request.value()).isEqualTo(new Destination("127.0.0.1", 80));
        byte[] data = new byte[request.leftover().remaining()];
        request.leftover().get(data);
        assertThat(new String(data, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("GET");
        pipe.first().close();
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link Splice} between two real netpoll TCP connections, without yamux in between. */
class SpliceTest {

    /** client --(java.net)--> [listener conn | Splice | dialed conn] --> target */
    private static CompletableFuture<Splice.Result> spliceTo(Listener entry, String target) {
        CompletableFuture<Splice.Result> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                Conn a = entry.accept();
                Conn b = Net.dial("tcp", target);
                result.complete(new Splice(new Splice.Side("a", a, a::close), new Splice.Side("b", b, b::close)).run());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @Test
    void halfCloseTravelsThroughAndTheAnswerComesBack() throws Exception {
        try (var target = new TcpPeers.Server(TcpPeers::answerAfterEof);
                Listener entry = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Splice.Result> result = spliceTo(entry, target.address());
            try (Socket client = TcpPeers.connect(Address.of(entry.address()).address())) {
                byte[] request = "hello, half-closed world".getBytes();
                client.getOutputStream().write(request);
                client.shutdownOutput();
                String answer = new String(client.getInputStream().readAllBytes());
                assertThat(answer).isEqualTo("got " + request.length + " bytes " + TcpPeers.sha256Hex(request));
            }
            Splice.Result r = result.get();
            assertThat(r.failure()).isNull();
            assertThat(r.bytesAtoB()).isEqualTo(24);
        }
    }

    @Test
    void resetOnOneSideAbortsTheOther() throws Exception {
        try (var target = new TcpPeers.Server(TcpPeers::reset);
                Listener entry = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Splice.Result> result = spliceTo(entry, target.address());
            try (Socket client = TcpPeers.connect(Address.of(entry.address()).address())) {
                client.getOutputStream().write('x');
                // No half-close from the client: only the abort can end this read.
                assertThat(TcpPeers.readOrReset(client.getInputStream())).isIn(-1, -2);
            }
            assertThat(result.get().failure()).isNotNull();
        }
    }

    @Test
    void bulkDataArrivesIntactBothWays() throws Exception {
        try (var target = new TcpPeers.Server(TcpPeers::echo);
                Listener entry = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Splice.Result> result = spliceTo(entry, target.address());
            long verified = TcpPeers.echoOnce(Address.of(entry.address()).address(), 4 << 20, 1);
            assertThat(verified).isEqualTo(4 << 20);
            assertThat(result.get().bytesBtoA()).isEqualTo(4 << 20);
        }
    }
}

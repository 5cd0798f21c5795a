package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link CallerLeadsContract} with virtual-thread callers on a session's only stream, which lead;
 * and the rule that a virtual caller does not lead while its session has more than one stream
 * ({@link SessionReader#mayLead}).
 */
class VirtualCallerLeadsTest extends CallerLeadsContract {
    private SessionPair twoStreams;

    @Override
    Thread.Builder callers() {
        return Thread.ofVirtual();
    }

    @AfterEach
    void closeTwoStreams() {
        if (twoStreams != null) {
            twoStreams.close();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aVirtualCallerDoesNotLeadWhileItsSessionHasAnotherStream() throws Exception {
        twoStreams = SessionPair.open(SessionPair.Kind.NETPOLL_TCP);
        Stream first = twoStreams.client().openStream();
        Stream second = twoStreams.client().openStream();
        first.write(ByteBuffer.wrap(new byte[] {1}));
        second.write(ByteBuffer.wrap(new byte[] {2}));
        Stream firstServer = twoStreams.server().acceptStream();
        twoStreams.server().acceptStream();

        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                ByteBuffer in = ByteBuffer.allocate(2);
                firstServer.read(in.clear()); // the 1 written above
                for (int i = 0; i < 200; i++) {
                    firstServer.write(ByteBuffer.wrap(new byte[] {(byte) i, 0}));
                    in.clear();
                    while (in.hasRemaining()) {
                        first.read(in);
                    }
                    assertThat(in.get(0)).isEqualTo((byte) i);
                }
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        done.get(30, TimeUnit.SECONDS);

        assertThat(twoStreams.client().streamCount()).isEqualTo(2);
        assertThat(twoStreams.client().reader().ledFrames()).isZero();
    }
}

package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link CallerLeadsContract} with virtual-thread callers, which lead (the contract's sessions have
 * one or two streams);
 * and the rule that a virtual caller leads while its session has at most
 * {@link SessionReader#FEW_STREAMS} streams and not beyond
 * ({@link SessionReader#mayLead}).
 */
class VirtualCallerLeadsTest extends CallerLeadsContract {
    private SessionPair streams;

    @Override
    Thread.Builder callers() {
        return Thread.ofVirtual();
    }

    @AfterEach
    void closeStreams() {
        if (streams != null) {
            streams.close();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aVirtualCallerLeadsBesideOneOtherStream() throws Exception {
        assertThat(SessionReader.FEW_STREAMS).isEqualTo(2);
        assertThat(ledFramesOfRoundTripsWith(2)).isPositive();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aVirtualCallerDoesNotLeadWhileItsSessionHasTwoOtherStreams() throws Exception {
        assertThat(ledFramesOfRoundTripsWith(3)).isZero();
    }

    /**
     * Opens {@code count} streams over netpoll TCP and runs 200 round trips on the first, read by
     * a virtual thread; returns the frames the client's callers read themselves.
     */
    private long ledFramesOfRoundTripsWith(int count) throws Exception {
        streams = SessionPair.open(SessionPair.Kind.NETPOLL_TCP);
        Stream first = openWithByte(0);
        Stream firstServer = streams.server().acceptStream();
        for (int i = 1; i < count; i++) {
            openWithByte(i);
            streams.server().acceptStream();
        }

        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                ByteBuffer in = ByteBuffer.allocate(2);
                firstServer.read(in.clear()); // the byte written by openWithByte
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

        assertThat(streams.client().streamCount()).isEqualTo(count);
        return streams.client().reader().ledFrames();
    }

    private Stream openWithByte(int value) throws IOException {
        Stream stream = streams.client().openStream();
        stream.write(ByteBuffer.wrap(new byte[] {(byte) value}));
        return stream;
    }
}

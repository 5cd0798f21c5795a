package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.Conn;
import io.weft.netpoll.DeadlineExceededException;
import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PlatformLeaderMidFrameTest}'s idea for a virtual-thread caller, which leads only on its
 * session's only stream, so the frame a raw peer stalls inside is the leader's own: woken there,
 * its read ends promptly; a deadline that ends it after part of the payload was delivered returns
 * those bytes, as a woken read would have (it returned them as they came), instead of a timeout;
 * and once the peer sends the rest, the reader thread parses it and the next frame exactly.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualLeaderMidFrameTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final Duration OWN_DEADLINE = Duration.ofSeconds(2);
    private static final byte[] PAYLOAD = "01234567".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEXT = "next".getBytes(StandardCharsets.US_ASCII);

    /** Where the peer stalls: after 5 header bytes, or after the header and 3 payload bytes. */
    enum Cut {
        HEADER(5, 0),
        BODY(FrameHeader.SIZE + 3, 3);

        final int sentBytes;
        final int deliveredBytes;

        Cut(int sentBytes, int deliveredBytes) {
            this.sentBytes = sentBytes;
            this.deliveredBytes = deliveredBytes;
        }
    }

    /** What wakes the leader, and the error its read ends with when nothing of the frame was delivered. */
    enum Wake {
        OWN_DEADLINE(DeadlineExceededException.class),
        DEADLINE_SET(DeadlineExceededException.class),
        CLOSE(StreamClosedException.class),
        RESET(StreamResetException.class),
        INTERRUPT(InterruptedIOException.class);

        final Class<? extends IOException> error;

        Wake(Class<? extends IOException> error) {
            this.error = error;
        }

        /** Whether the stream stays readable after the wake. */
        boolean streamLives() {
            return this != CLOSE && this != RESET;
        }
    }

    private Session client;
    private Conn raw;

    @AfterEach
    void close() throws IOException {
        if (client != null) {
            client.close();
        }
        if (raw != null) {
            raw.close();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aVirtualLeaderWokenInsideAFrameOfItsOwnStreamLeavesAtOnceAndNothingIsLost(Cut cut, Wake wake) throws Exception {
        AtomicLong readBytes = new AtomicLong();
        Stream mine = open(readBytes);

        CompletableFuture<Integer> read = new CompletableFuture<>();
        CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
        if (wake == Wake.OWN_DEADLINE) {
            mine.setReadDeadline(Instant.now().plus(OWN_DEADLINE));
        }
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                read.complete(mine.read(ByteBuffer.allocate(16)));
            } catch (Throwable t) {
                interruptKept.complete(Thread.interrupted());
                read.completeExceptionally(t);
            }
        });
        await().atMost(PATIENCE).until(() -> client.reader().role().state() == ReadRole.LEADER);

        byte[] stalled = dataFrame(2, PAYLOAD);
        long before = readBytes.get();
        raw.write(ByteBuffer.wrap(stalled, 0, cut.sentBytes));
        await().atMost(PATIENCE).until(() -> readBytes.get() == before + cut.sentBytes);
        assertThat(client.reader().role().state()).as("the caller still leads, inside its own frame").isEqualTo(ReadRole.LEADER);

        switch (wake) {
            case OWN_DEADLINE -> { } // it passes by itself
            case DEADLINE_SET -> mine.setReadDeadline(Instant.now().minusSeconds(1));
            case CLOSE -> mine.close();
            case RESET -> mine.reset();
            case INTERRUPT -> caller.interrupt();
        }

        boolean deadline = wake == Wake.OWN_DEADLINE || wake == Wake.DEADLINE_SET;
        int returned = 0;
        if (deadline && cut.deliveredBytes > 0) {
            assertThat(outcome(read)).as("the delivered bytes, not a timeout").isEqualTo(cut.deliveredBytes);
            returned = cut.deliveredBytes;
        } else {
            assertThat(failureOf(read)).isInstanceOf(wake.error);
        }
        if (wake == Wake.INTERRUPT) {
            assertThat(interruptKept.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the interrupt flag is kept").isTrue();
        }

        // The peer sends the rest of the frame and one more: both arrive whole, in order.
        raw.write(ByteBuffer.wrap(stalled, cut.sentBytes, stalled.length - cut.sentBytes));
        if (wake.streamLives()) {
            mine.setReadDeadline(null);
            raw.write(ByteBuffer.wrap(dataFrame(2, NEXT)));
            String expected = new String(PAYLOAD, returned, PAYLOAD.length - returned, StandardCharsets.US_ASCII) + "next";
            assertThat(readOnVirtual(mine, expected.length())).isEqualTo(expected);
        } else {
            raw.write(ByteBuffer.wrap(FrameHeader.windowUpdate(4, Flags.SYN, 0).toBytes()));
            raw.write(ByteBuffer.wrap(dataFrame(4, NEXT)));
            assertThat(readOnVirtual(client.acceptStream(PATIENCE), NEXT.length)).isEqualTo("next");
        }
        assertThat(client.isClosed()).isFalse();
        assertThat(client.reader().frameInProgress().active()).isFalse();
    }

    static java.util.stream.Stream<Arguments> cases() {
        return Arrays.stream(Cut.values()).flatMap(cut -> Arrays.stream(Wake.values()).map(wake -> Arguments.of(cut, wake)));
    }

    /** A client session over TCP whose raw peer opened one stream (id 2), accepted; what the client sends is dropped. */
    private Stream open(AtomicLong readBytes) throws IOException {
        Conn[] conns = SessionPair.tcpLoopback();
        raw = conns[1];
        Conn counting = new DelegatingConn(conns[0]) {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                int n = super.read(dst);
                if (n > 0) {
                    readBytes.addAndGet(n);
                }
                return n;
            }
        };
        client = Session.client(counting, SessionPair.testConfig().keepAliveEnabled(false).build());
        Thread.ofVirtual().start(() -> {
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
        return client.acceptStream();
    }

    private static String readOnVirtual(Stream stream, int bytes) throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                ByteBuffer in = ByteBuffer.allocate(bytes);
                while (in.hasRemaining() && stream.read(in) > 0) {
                    // read on
                }
                received.complete(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
            } catch (Throwable t) {
                received.completeExceptionally(t);
            }
        });
        return received.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    private static byte[] dataFrame(int streamId, byte[] payload) {
        byte[] frame = new byte[FrameHeader.SIZE + payload.length];
        FrameHeader.data(streamId, 0, payload.length).encode(frame, 0);
        System.arraycopy(payload, 0, frame, FrameHeader.SIZE, payload.length);
        return frame;
    }

    private static int outcome(CompletableFuture<Integer> read) throws Exception {
        try {
            return read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the read failed although bytes of its own frame were delivered", e.getCause());
        }
    }

    private static Throwable failureOf(CompletableFuture<Integer> read) {
        try {
            Integer n = read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the read returned " + n);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the read did not end while the peer stalled inside a frame", e);
        }
    }
}

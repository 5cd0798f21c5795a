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
 * A platform-thread caller that reads the connection itself ({@link SessionReader#lead}) and is
 * woken while a raw peer has sent only part of a frame (part of its header, or its header and
 * part of its payload) and stalls: its read ends promptly with the error that woke it, whatever
 * the peer does (keepalive is off, so nothing else would end it), and once the peer sends the
 * rest, the session reader parses it and the frame after it exactly (no desync).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlatformLeaderMidFrameTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    /** The caller's own read deadline in {@link Wake#OWN_DEADLINE}: long enough to set the scene first. */
    private static final Duration OWN_DEADLINE = Duration.ofSeconds(2);
    /** The stalled frame's payload, for the second stream; then {@link #NEXT}, a whole frame. */
    private static final byte[] PAYLOAD = "01234567".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEXT = "next".getBytes(StandardCharsets.US_ASCII);

    /** Where the peer stalls. */
    enum Cut {
        /** After 5 of the header's 12 bytes. */
        HEADER(5),
        /** After the header and 3 payload bytes. */
        BODY(FrameHeader.SIZE + 3);

        final int sentBytes;

        Cut(int sentBytes) {
            this.sentBytes = sentBytes;
        }
    }

    /** What wakes the leader, and the error its read must end with. */
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
    void aLeaderWokenInsideAFrameLeavesAtOnceAndTheReaderThreadResumesTheFrame(Cut cut, Wake wake) throws Exception {
        AtomicLong readBytes = new AtomicLong();
        Stream[] streams = open(readBytes);
        Stream mine = streams[0];
        Stream other = streams[1];

        CompletableFuture<Integer> read = new CompletableFuture<>();
        CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
        if (wake == Wake.OWN_DEADLINE) {
            mine.setReadDeadline(Instant.now().plus(OWN_DEADLINE));
        }
        Thread caller = Thread.ofPlatform().daemon().start(() -> {
            try {
                read.complete(mine.read(ByteBuffer.allocate(16)));
            } catch (Throwable t) {
                interruptKept.complete(Thread.interrupted());
                read.completeExceptionally(t);
            }
        });
        await().atMost(PATIENCE).until(() -> client.reader().role().state() == ReadRole.LEADER);

        byte[] stalled = dataFrame(other.id(), PAYLOAD);
        long before = readBytes.get();
        raw.write(ByteBuffer.wrap(stalled, 0, cut.sentBytes));
        await().atMost(PATIENCE).until(() -> readBytes.get() == before + cut.sentBytes);
        assertThat(client.reader().role().state()).as("the caller still leads, inside the frame").isEqualTo(ReadRole.LEADER);
        if (cut == Cut.BODY) {
            assertThat(client.reader().frameInProgress().remainingBytes()).isEqualTo(PAYLOAD.length - 3);
        }

        switch (wake) {
            case OWN_DEADLINE -> { } // it passes by itself
            case DEADLINE_SET -> mine.setReadDeadline(Instant.now().minusSeconds(1));
            case CLOSE -> mine.close();
            case RESET -> mine.reset();
            case INTERRUPT -> caller.interrupt();
        }

        assertThat(failureOf(read)).isInstanceOf(wake.error);
        if (wake == Wake.INTERRUPT) {
            assertThat(interruptKept.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the interrupt flag is kept").isTrue();
        }

        // The peer sends the rest of the frame and one more: both arrive whole, in order.
        CompletableFuture<String> received = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                ByteBuffer in = ByteBuffer.allocate(PAYLOAD.length + NEXT.length);
                while (in.hasRemaining() && other.read(in) > 0) {
                    // read on
                }
                received.complete(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
            } catch (Throwable t) {
                received.completeExceptionally(t);
            }
        });
        raw.write(ByteBuffer.wrap(stalled, cut.sentBytes, stalled.length - cut.sentBytes));
        raw.write(ByteBuffer.wrap(dataFrame(other.id(), NEXT)));
        assertThat(received.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo("01234567next");
        assertThat(client.isClosed()).isFalse();
        assertThat(client.reader().frameInProgress().active()).isFalse();
    }

    /** The cross product of {@link Cut} and {@link Wake}. */
    static java.util.stream.Stream<Arguments> cases() {
        return Arrays.stream(Cut.values()).flatMap(cut -> Arrays.stream(Wake.values()).map(wake -> Arguments.of(cut, wake)));
    }

    /**
     * A client session over TCP whose peer is raw frames: the peer opens two streams (ids 2 and
     * 4), which the client accepts; whatever the client sends is read and dropped. The returned
     * streams are the client's; {@code readBytes} counts the bytes the client's session has read.
     */
    private Stream[] open(AtomicLong readBytes) throws IOException {
        Conn clientConn;
        Conn[] conns = SessionPair.tcpLoopback();
        clientConn = conns[0];
        raw = conns[1];
        Conn counting = new DelegatingConn(clientConn) {
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
        Thread.ofVirtual().start(() -> { // drops what the client sends, so its writes never wait
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
        raw.write(ByteBuffer.wrap(FrameHeader.windowUpdate(4, Flags.SYN, 0).toBytes()));
        return new Stream[] {client.acceptStream(), client.acceptStream()};
    }

    private static byte[] dataFrame(int streamId, byte[] payload) {
        byte[] frame = new byte[FrameHeader.SIZE + payload.length];
        FrameHeader.data(streamId, 0, payload.length).encode(frame, 0);
        System.arraycopy(payload, 0, frame, FrameHeader.SIZE, payload.length);
        return frame;
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

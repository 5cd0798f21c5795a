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
import org.junit.jupiter.params.provider.Arguments;

/**
 * What the leader-woken-inside-a-frame tests share ({@link PlatformLeaderMidFrameTest},
 * {@link VirtualLeaderMidFrameTest}): a client session over TCP whose peer is raw frames (it
 * opens streams 2, 4, …, which the client accepts, and drops whatever the client sends, so the
 * client's writes never wait), where the peer stalls, what wakes the leader, and the frames.
 * Keepalive is off, so nothing else would end a stalled read.
 */
final class MidFrameFixture implements AutoCloseable {
    static final Duration PATIENCE = Duration.ofSeconds(10);
    /** The caller's own read deadline in {@link Wake#OWN_DEADLINE}: long enough to set the scene first. */
    static final Duration OWN_DEADLINE = Duration.ofSeconds(2);
    /** The stalled frame's payload; then {@link #NEXT}, a whole frame. */
    static final byte[] PAYLOAD = "01234567".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NEXT = "next".getBytes(StandardCharsets.US_ASCII);

    /** Where the peer stalls, and how many payload bytes reached the stream by then. */
    enum Cut {
        /** After 5 of the header's 12 bytes. */
        HEADER(5, 0),
        /** After the header and 3 payload bytes. */
        BODY(FrameHeader.SIZE + 3, 3);

        final int sentBytes;
        final int deliveredBytes;

        Cut(int sentBytes, int deliveredBytes) {
            this.sentBytes = sentBytes;
            this.deliveredBytes = deliveredBytes;
        }
    }

    /** What wakes the leader, and the error its read ends with when nothing of the frame was delivered to it. */
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

    final Session client;
    final Conn raw;
    /** Bytes the client's session has read from the connection. */
    final AtomicLong readBytes;
    /** The client's side of the streams the peer opened, in order. */
    final Stream[] streams;

    private MidFrameFixture(Session client, Conn raw, AtomicLong readBytes, Stream[] streams) {
        this.client = client;
        this.raw = raw;
        this.readBytes = readBytes;
        this.streams = streams;
    }

    /** Opens the session; its raw peer opens {@code streamCount} streams, which the client accepts. */
    static MidFrameFixture open(int streamCount) throws IOException {
        Conn[] conns = SessionPair.tcpLoopback();
        Conn raw = conns[1];
        AtomicLong readBytes = new AtomicLong();
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
        Session client = Session.client(counting, SessionPair.testConfig().keepAliveEnabled(false).build());
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
        Stream[] streams = new Stream[streamCount];
        for (int i = 0; i < streamCount; i++) {
            raw.write(ByteBuffer.wrap(FrameHeader.windowUpdate(2 + 2 * i, Flags.SYN, 0).toBytes()));
        }
        for (int i = 0; i < streamCount; i++) {
            streams[i] = client.acceptStream();
        }
        return new MidFrameFixture(client, raw, readBytes, streams);
    }

    /** A caller's read of {@code mine} on its own thread, and whether an interrupt's flag stayed set. */
    record CallerRead(Thread thread, CompletableFuture<Integer> read, CompletableFuture<Boolean> interruptKept) {}

    /**
     * Starts a read of {@code mine} on a thread from {@code threads} (with {@link #OWN_DEADLINE}
     * first when {@code wake} is {@link Wake#OWN_DEADLINE}) and waits until that caller leads.
     */
    CallerRead startLeadingRead(Thread.Builder threads, Stream mine, Wake wake) throws IOException {
        CompletableFuture<Integer> read = new CompletableFuture<>();
        CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
        if (wake == Wake.OWN_DEADLINE) {
            mine.setReadDeadline(Instant.now().plus(OWN_DEADLINE));
        }
        Thread caller = threads.start(() -> {
            try {
                read.complete(mine.read(ByteBuffer.allocate(16)));
            } catch (Throwable t) {
                interruptKept.complete(Thread.interrupted());
                read.completeExceptionally(t);
            }
        });
        await().atMost(PATIENCE).until(() -> client.reader().role().state() == ReadRole.LEADER);
        return new CallerRead(caller, read, interruptKept);
    }

    /** The peer sends the first {@link Cut#sentBytes} of a data frame of {@link #PAYLOAD} for {@code streamId}, which the leader reads; returns the whole frame. */
    byte[] stallInside(int streamId, Cut cut) throws IOException {
        byte[] stalled = dataFrame(streamId, PAYLOAD);
        long before = readBytes.get();
        raw.write(ByteBuffer.wrap(stalled, 0, cut.sentBytes));
        await().atMost(PATIENCE).until(() -> readBytes.get() == before + cut.sentBytes);
        assertThat(client.reader().role().state()).as("the caller still leads, inside the frame").isEqualTo(ReadRole.LEADER);
        return stalled;
    }

    /** Wakes the leader reading {@code mine} as {@code wake} says. */
    static void wake(Wake wake, Stream mine, CallerRead caller) throws IOException {
        switch (wake) {
            case OWN_DEADLINE -> { } // it passes by itself
            case DEADLINE_SET -> mine.setReadDeadline(Instant.now().minusSeconds(1));
            case CLOSE -> mine.close();
            case RESET -> mine.reset();
            case INTERRUPT -> caller.thread().interrupt();
        }
    }

    /** The cross product of {@link Cut} and {@link Wake}. */
    static java.util.stream.Stream<Arguments> cases() {
        return Arrays.stream(Cut.values()).flatMap(cut -> Arrays.stream(Wake.values()).map(wake -> Arguments.of(cut, wake)));
    }

    static byte[] dataFrame(int streamId, byte[] payload) {
        byte[] frame = new byte[FrameHeader.SIZE + payload.length];
        FrameHeader.data(streamId, 0, payload.length).encode(frame, 0);
        System.arraycopy(payload, 0, frame, FrameHeader.SIZE, payload.length);
        return frame;
    }

    /** The error {@code read} ended with; fails if it returned, or did not end within {@link #PATIENCE}. */
    static Throwable failureOf(CompletableFuture<Integer> read) {
        try {
            Integer n = read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the read returned " + n);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the read did not end while the peer stalled inside a frame", e);
        }
    }

    /** Reads {@code bytes} from {@code stream} on a virtual thread, as US-ASCII (fewer if the stream ends). */
    static String readOnVirtual(Stream stream, int bytes) throws Exception {
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

    @Override
    public void close() throws IOException {
        client.close();
        raw.close();
    }
}

package io.weft.yamux;

import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import io.weft.yamux.frame.GoAwayCodes;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One execution of the session fuzz target: a {@link Session} fed one input's bytes as everything
 * its peer sends, over a {@link PipeConn}; the test is the peer, reads everything the session
 * writes and decodes it.
 *
 * <p>Input: byte 0 is the mode, the rest goes to the session as is. Mode bits: 0x01 the session is
 * the client (else the server); 0x02 the application accepts every inbound stream and reads it to
 * the end; 0x04 the application opens one stream first, writes to it and reads it; 0x08 the
 * connection ends (EOF) after the input.
 *
 * <p>Invariants, each failure an {@link AssertionError} naming it:
 * <ul>
 *   <li>when the input ends on a frame boundary ({@link Shape}) the test appends a marker ping: the
 *       session either answers it (it is alive and has handled every frame before it) or ends,
 *       within {@link #BOUND}; when the input ends inside a data frame that can never be valid (a
 *       bad version, or a length beyond any window the session grants, whatever its flags) the
 *       session ends without waiting for the payload; when it ends inside any other frame, or
 *       with EOF, the connection's end ends the session;
 *   <li>a session that ends on a frame it judged malformed ends with a local {@link
 *       YamuxProtocolException} and its last frame out is GoAway(1) (when application threads
 *       write too, a GoAway may be lost, see {@link #checkEnd}, but one that went out is GoAway(1)
 *       and last); other ends are the peer's
 *       GoAway or the connection's end; never GoAway(2), never a runtime exception as the cause;
 *   <li>application calls throw only {@link IOException}s, and every blocked one (accept, read)
 *       returns within {@link #BOUND} of {@link Session#close()};
 *   <li>live streams stay within {@link YamuxConfig#maxInboundStreams()} (plus our one), heap
 *       allocated stays within a constant plus a multiple of the input's size (no buffer sized by a
 *       length field), and every session thread ends after close.
 * </ul>
 */
final class SessionFuzzRun {
    static final int CLIENT = 0x01;
    static final int ACCEPT = 0x02;
    static final int OPEN = 0x04;
    static final int EOF = 0x08;
    /** Opaque value of the marker ping the test appends. */
    static final int MARKER = 0x5EED_F00D;
    /** Time any step may take; generous, a loaded CI machine is slow, a hang is forever. */
    static final Duration BOUND = Duration.ofSeconds(10);
    private static final int MAX_INBOUND_STREAMS = 8;
    /** The largest window the session below ever grants (its auto-tuning ceiling): no data frame may be longer. */
    private static final int MAX_FRAME_BYTES = 1 << 20;
    /** Heap a session's threads may allocate whatever the input: buffers, log records, exceptions. */
    private static final long BASE_ALLOCATION = 8L << 20;

    private final Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    private final Queue<Thread> appThreads = new ConcurrentLinkedQueue<>();
    private final Queue<Thread> sessionThreads = new ConcurrentLinkedQueue<>();
    /** Heap allocated by the session's threads (measured per thread, so the fuzzer's own work is not counted). */
    private final LongAdder sessionAllocated = new LongAdder();
    private final PeerView peer = new PeerView();
    private final CountDownLatch peerDone = new CountDownLatch(1);

    private SessionFuzzRun() {}

    /** Runs one input; throws {@link AssertionError} when an invariant does not hold. */
    static void check(byte[] data) throws Exception {
        try {
            new SessionFuzzRun().run(data);
        } catch (AssertionError e) {
            // Fuzzing with keep_going reports a finding only by its file: say what it was.
            System.err.println("session fuzz finding: " + e.getMessage() + "\n  input " + java.util.HexFormat.of().formatHex(data));
            throw e;
        }
    }

    private void run(byte[] data) throws Exception {
        int mode = data.length == 0 ? 0 : data[0] & 0xFF;
        long classesBefore = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        PipeConn[] pipe = PipeConn.pair(256 * 1024);
        PipeConn wire = pipe[0];
        YamuxConfig config = YamuxConfig.builder()
                .acceptBacklog(4)
                .maxInboundStreams(MAX_INBOUND_STREAMS)
                .keepAliveEnabled(false)
                .connectionWriteTimeout(Duration.ofSeconds(2))
                .maxAutoTunedWindowBytes(MAX_FRAME_BYTES)
                .autoTuneBudgetBytes(2 << 20)
                .streamOpenTimeout(Duration.ofSeconds(2))
                .streamCloseTimeout(Duration.ofSeconds(2))
                .goAwayDrainTimeout(Duration.ofSeconds(2))
                .threadFactory(recording())
                .build();
        Session session = (mode & CLIENT) != 0 ? Session.client(pipe[1], config) : Session.server(pipe[1], config);
        session.closeFuture().thenRun(peer::signal);
        try {
            start("peer", () -> readPeer(wire));
            if ((mode & ACCEPT) != 0) {
                start("acceptor", () -> acceptAll(session));
            }
            if ((mode & OPEN) != 0) {
                io.weft.yamux.Stream ours = session.openStream();
                ours.write(ByteBuffer.wrap(new byte[100]));
                start("our-stream", () -> drain(ours));
            }
            boolean eof = (mode & EOF) != 0;
            Shape shape = Shape.of(data);
            boolean marker = !eof && shape.complete();
            sendInput(wire, data, marker, eof);
            if (eof) {
                require(session.awaitClose(BOUND), "the session did not end within " + BOUND + " of the connection's end");
            } else if (marker) {
                awaitMarkerOrEnd(session);
            } else if (shape.trailingHeaderIsFatal(MAX_FRAME_BYTES)) {
                require(session.awaitClose(BOUND), "the last frame (" + shape + ") can never be valid, but the session"
                        + " waits for its payload instead of failing");
            } else {
                // The session waits for the rest of a frame: the connection's end must end it.
                wire.closeWrite();
                require(session.awaitClose(BOUND), "the session did not end within " + BOUND
                        + " of the connection's end in the middle of a frame (" + shape + ")");
            }
            if (session.isClosed()) {
                checkEnd(session, (mode & (ACCEPT | OPEN)) != 0);
            } else {
                require(session.streamCount() <= MAX_INBOUND_STREAMS + 1, "live streams " + session.streamCount()
                        + " beyond the limit of " + MAX_INBOUND_STREAMS + " inbound + 1 outbound");
            }
        } finally {
            session.close();
            wire.close();
        }
        for (Thread thread : appThreads) {
            require(thread.join(BOUND), "the application's " + thread.getName() + " call was not released by close: "
                    + stack(thread));
        }
        for (Thread thread : sessionThreads) {
            require(thread.join(BOUND), "session thread " + thread.getName() + " still runs after close: " + stack(thread));
        }
        long allowed = BASE_ALLOCATION + 64L * data.length;
        // Loading a class allocates in the loading thread, and under Jazzer instrumenting it far
        // more (100 MiB seen): an execution that loaded classes is not judged on allocation.
        boolean loadedClasses = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount() != classesBefore;
        require(loadedClasses || sessionAllocated.sum() <= allowed, "the session's threads allocated " + sessionAllocated.sum()
                + " bytes for a " + data.length + "-byte input");
        if (!unexpected.isEmpty()) {
            AssertionError error = new AssertionError("unexpected exception from an application call");
            unexpected.forEach(error::addSuppressed);
            throw error;
        }
    }

    private void sendInput(PipeConn wire, byte[] data, boolean marker, boolean eof) {
        ByteBuffer bytes = ByteBuffer.allocate(Math.max(0, data.length - 1) + FrameHeader.SIZE);
        if (data.length > 1) {
            bytes.put(data, 1, data.length - 1);
        }
        if (marker) {
            FrameHeader.ping(io.weft.yamux.frame.Flags.SYN, MARKER).encode(bytes);
        }
        bytes.flip();
        try {
            wire.setWriteDeadline(Instant.now().plus(BOUND));
            while (bytes.hasRemaining()) {
                wire.write(bytes);
            }
            if (eof) {
                wire.closeWrite();
            }
        } catch (IOException e) {
            // the session closed the connection part way: it must have ended, checked next
        }
    }

    private void awaitMarkerOrEnd(Session session) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!peer.markerAnswered && !session.isClosed()) {
            require(System.nanoTime() < deadline, "the session neither answered the marker ping nor ended within "
                    + BOUND + " (stats " + session.stats() + ")");
            peer.awaitChange(deadline);
        }
    }

    private void checkEnd(Session session, boolean applicationWrites) throws InterruptedException {
        IOException cause = session.closeCause();
        require(peerDone.await(BOUND.toMillis(), TimeUnit.MILLISECONDS), "the connection was not closed after the session ended");
        require(!peer.goAwayCodes.contains((long) GoAwayCodes.INTERNAL_ERROR), "the session sent GoAway(internal error): " + cause);
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof RuntimeException || t instanceof Error) {
                throw new AssertionError("the session ended on an unexpected exception", cause);
            }
        }
        if (cause instanceof YamuxProtocolException protocol && !protocol.isRemote()) {
            String failure = "a protocol error (" + protocol.reason() + ") did not end with GoAway(1); frames out ended with "
                    + peer.lastFrameType + ", GoAway codes " + peer.goAwayCodes;
            if (applicationWrites) {
                // An application thread inside a transport write when the session fails gets 20 ms
                // (Outbound.BUSY_CLOSE_GRACE_NANOS) before the connection is closed under it, GoAway
                // or not: a loaded machine starving that thread loses the GoAway. Only a GoAway that
                // did go out is judged.
                require(peer.goAwayCodes.isEmpty() || (peer.lastFrameType == FrameType.GO_AWAY
                        && peer.goAwayCodes.equals(List.of((long) GoAwayCodes.PROTOCOL_ERROR))), failure);
            } else {
                require(peer.lastFrameType == FrameType.GO_AWAY
                        && peer.goAwayCodes.equals(List.of((long) GoAwayCodes.PROTOCOL_ERROR)), failure);
            }
        }
    }

    private void acceptAll(Session session) throws IOException {
        while (true) {
            io.weft.yamux.Stream stream = session.acceptStream();
            start("stream-" + Integer.toUnsignedString(stream.id()), () -> drain(stream));
        }
    }

    private static void drain(io.weft.yamux.Stream stream) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        while (stream.read(buffer.clear()) >= 0) {
            // discard
        }
        stream.close();
    }

    /** Reads and decodes everything the session writes until the connection ends. */
    private void readPeer(PipeConn wire) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(256 * 1024);
        try {
            while (wire.read(in) >= 0) {
                in.flip();
                peer.consume(in);
                in.compact();
            }
        } catch (java.nio.channels.ClosedChannelException e) {
            // we closed our end at teardown
        } finally {
            peerDone.countDown();
            peer.signal();
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private void start(String name, Call call) {
        Thread thread = Thread.ofVirtual().name("fuzz-" + name).unstarted(() -> {
            try {
                call.run();
            } catch (IOException expected) {
                // typed failures are how a session and its streams report ends
            } catch (Throwable t) {
                unexpected.add(t);
            }
        });
        appThreads.add(thread); // the acceptor adds stream threads while the test thread may join
        thread.start();
    }

    /** Platform threads (a virtual thread's allocation is not measured) that count what they allocate. */
    private ThreadFactory recording() {
        ThreadFactory platform = Thread.ofPlatform().daemon().name("fuzz-yamux-", 0).factory();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return task -> {
            Thread thread = platform.newThread(() -> {
                try {
                    task.run();
                } finally {
                    sessionAllocated.add(threads.getCurrentThreadAllocatedBytes());
                }
            });
            sessionThreads.add(thread);
            return thread;
        };
    }

    private static String stack(Thread thread) {
        StringBuilder text = new StringBuilder();
        for (StackTraceElement frame : thread.getStackTrace()) {
            text.append("\n\tat ").append(frame);
        }
        return text.toString();
    }

    static void require(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError(failure);
        }
    }

    /**
     * Where the input's frame boundaries fall, read as the session reads them: a header, then for a
     * data frame (type 0) its length in payload bytes. Says whether the input ends on a boundary.
     *
     * @param complete whether the bytes end exactly at a frame boundary
     * @param frames complete frames
     * @param trailingHeader the header of a data frame whose payload is cut short, or null
     */
    record Shape(boolean complete, int frames, FrameHeaderBytes trailingHeader) {
        static Shape of(byte[] data) {
            int at = Math.min(1, data.length);
            int frames = 0;
            while (at + FrameHeader.SIZE <= data.length) {
                long length = FrameHeader.lengthAt(data, at);
                boolean hasPayload = data[at + 1] == 0;
                if (hasPayload && at + FrameHeader.SIZE + length > data.length) {
                    return new Shape(false, frames, new FrameHeaderBytes(data[at] & 0xFF, length));
                }
                at += FrameHeader.SIZE + (hasPayload ? (int) length : 0);
                frames++;
            }
            return new Shape(at == data.length, frames, null);
        }

        /** Whether the cut-short last frame is one no session may wait for: a bad version or a length beyond any window. */
        boolean trailingHeaderIsFatal(long maxFrameBytes) {
            return trailingHeader != null && (trailingHeader.version != 0 || trailingHeader.length > maxFrameBytes);
        }
    }

    /** The fields of a header that decide whether its payload may be waited for. */
    record FrameHeaderBytes(int version, long length) {}
}

package io.weft.yamux.hostile;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Weft side of the hostile-peer suite: a yamux echo server over real TCP (netpoll) in this
 * JVM, built as {@code weft echo} is (the CLI's {@code EchoService}: one session per connection in
 * the server role, every accepted stream echoed with a 64 KiB buffer on a virtual thread of its
 * own until it half-closes, then closed).
 *
 * <p>Every thread it starts, the sessions' own included (through {@link YamuxConfig#threadFactory()}),
 * comes from one counting factory, so {@link Snapshot#threads()} is exact for virtual threads
 * too, which the JVM's thread MXBean does not count.
 *
 * <p>Thread-safe. {@link #close()} closes the listener and every session.
 */
final class EchoVictim implements Victim {

    private static final int ECHO_BUFFER_BYTES = 64 * 1024; // as the CLI's EchoService

    private final AtomicInteger liveThreads = new AtomicInteger();
    private final ThreadFactory threads;
    private final YamuxConfig config;
    private final boolean acceptStreams;
    private final Listener listener;
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private final List<IOException> closeCauses = new CopyOnWriteArrayList<>();

    /**
     * Starts listening on an ephemeral loopback port.
     *
     * @param config session configuration; its thread factory is replaced by the counting one
     * @param acceptStreams false to never accept streams (they wait in the backlog)
     */
    EchoVictim(YamuxConfig config, boolean acceptStreams) throws IOException {
        ThreadFactory virtual = Thread.ofVirtual().name("victim-", 0).factory();
        this.threads = task -> virtual.newThread(() -> {
            liveThreads.incrementAndGet();
            try {
                task.run();
            } finally {
                liveThreads.decrementAndGet();
            }
        });
        this.config = config.toBuilder().threadFactory(threads).build();
        this.acceptStreams = acceptStreams;
        this.listener = Net.listen("tcp", "127.0.0.1:0");
        threads.newThread(this::acceptConnections).start();
    }

    @Override
    public String name() {
        return "weft";
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.address();
    }

    /** The sessions still open. */
    List<Session> sessions() {
        return sessions.stream().filter(s -> !s.isClosed()).toList();
    }

    /** Why each ended session ended, in order of ending (a session's cause, null for a plain close). */
    List<IOException> closeCauses() {
        return List.copyOf(closeCauses);
    }

    /** Live threads this victim started, sessions' included. */
    int liveThreads() {
        return liveThreads.get();
    }

    @Override
    public Snapshot snapshot() {
        return snapshot(heapAfterGc());
    }

    @Override
    public Snapshot counts() {
        return snapshot(-1);
    }

    private Snapshot snapshot(long heap) {
        List<Session> open = sessions();
        int streams = open.stream().mapToInt(Session::streamCount).sum();
        return new Snapshot(heap, liveThreads.get(), -1, open.size(), streams);
    }

    /** Heap in use after a full collection. */
    static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private void acceptConnections() {
        while (true) {
            Conn conn;
            try {
                conn = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Session session = Session.server(conn, config);
            sessions.add(session);
            session.closeFuture().whenComplete((cause, error) -> {
                closeCauses.add(cause);
                sessions.remove(session);
            });
            if (acceptStreams) {
                threads.newThread(() -> serve(session)).start();
            }
        }
    }

    private void serve(Session session) {
        while (true) {
            Stream stream;
            try {
                stream = session.acceptStream();
            } catch (IOException e) {
                return;
            }
            threads.newThread(() -> echo(stream)).start();
        }
    }

    private static void echo(Stream stream) {
        ByteBuffer buffer = ByteBuffer.allocate(ECHO_BUFFER_BYTES);
        try (stream) {
            while (stream.read(buffer.clear()) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    stream.write(buffer);
                }
            }
            stream.closeWrite();
        } catch (IOException e) {
            // reset or session ended: the attack's business
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // nothing to do
        }
        for (Session session : sessions) {
            session.close();
        }
    }
}

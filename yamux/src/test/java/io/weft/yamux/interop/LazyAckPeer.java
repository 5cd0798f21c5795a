package io.weft.yamux.interop;

import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scripted yamux echo server that acknowledges inbound streams lazily, as rust-yamux does: the
 * ACK of a stream the client opened rides on the first frame this side sends on it (echoed data,
 * a window update or its FIN), never alone and never earlier.
 *
 * <p>Frames are encoded with Weft's {@link FrameHeader} codec; the stream logic is this class's
 * own. In {@link Mode#ECHO} every byte is echoed as soon as the client's window allows, and
 * credit is returned, half a window at a time, only for bytes echoed (so each stream buffers at
 * most one window). In {@link Mode#RESPOND_AFTER_FIN} a stream is a request: the whole of it is
 * read first and the echo (carrying the ACK) goes out only after the client's FIN; a request of
 * up to 128 KiB therefore sees no frame at all from this side until it ends. Streams end with
 * FIN after the client's FIN and the last echoed byte. Pings are answered; a client's GoAway is
 * recorded. With {@code goAwayAfterFirstStream} GoAway(0) follows the end of the first stream,
 * and later SYNs are refused with RST.
 *
 * <p>One virtual thread per connection runs the frame loop, which alone touches the stream
 * table; the observations ({@link #bytesReceived()}, {@link #goAwayReceived()},
 * {@link #failures()}) are safe from any thread.
 */
final class LazyAckPeer implements AutoCloseable {

    /** What the server does with a stream's bytes. */
    enum Mode { ECHO, RESPOND_AFTER_FIN }

    private static final int WINDOW = FrameHeader.INITIAL_STREAM_WINDOW;
    private static final int MAX_FRAME = 64 * 1024;

    private final ServerSocket listener;
    private final Mode mode;
    private final boolean goAwayAfterFirstStream;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong goAwayReceived = new AtomicLong(-1);

    private LazyAckPeer(Mode mode, boolean goAwayAfterFirstStream) throws IOException {
        this.mode = mode;
        this.goAwayAfterFirstStream = goAwayAfterFirstStream;
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        executor.submit(this::acceptLoop);
    }

    /** Listens on loopback; each connection is served on its own virtual thread. */
    static LazyAckPeer start(Mode mode, boolean goAwayAfterFirstStream) throws IOException {
        return new LazyAckPeer(mode, goAwayAfterFirstStream);
    }

    /** {@code HOST:PORT} to dial. */
    String address() {
        return InteropSupport.hostPort(listener.getLocalSocketAddress());
    }

    /** Data bytes received on all streams so far. */
    long bytesReceived() {
        return bytesReceived.get();
    }

    /** The code of the client's GoAway, or -1 while none arrived. */
    long goAwayReceived() {
        return goAwayReceived.get();
    }

    /** Protocol violations seen (the connection was dropped after each). */
    List<Throwable> failures() {
        return failures;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
        executor.shutdownNow();
    }

    private Void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                socket.setTcpNoDelay(true);
                sockets.add(socket);
                executor.submit(() -> new Connection(socket).run());
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    /** One stream's state, touched only by its connection's loop. */
    private static final class StreamState {
        final int id;
        boolean acked;
        long sendWindow = WINDOW;
        long receivable = WINDOW;
        long uncredited;
        boolean finReceived;
        final ArrayDeque<byte[]> pending = new ArrayDeque<>();
        int headOffset;
        final ByteArrayOutputStream request = new ByteArrayOutputStream();

        StreamState(int id) {
            this.id = id;
        }

        /** ACK on the first frame this side sends on the stream, nothing after. */
        int ackOnce() {
            if (acked) {
                return Flags.NONE;
            }
            acked = true;
            return Flags.ACK;
        }
    }

    private final class Connection {
        private final Socket socket;
        private final Map<Integer, StreamState> streams = new HashMap<>();
        private DataInputStream in;
        private OutputStream out;
        private boolean goAwaySent;
        private boolean firstStreamSeen;
        private int firstStreamId;

        Connection(Socket socket) {
            this.socket = socket;
        }

        Void run() {
            try (socket) {
                in = new DataInputStream(socket.getInputStream());
                out = new BufferedOutputStream(socket.getOutputStream(), 128 * 1024);
                byte[] header = new byte[FrameHeader.SIZE];
                while (true) {
                    in.readFully(header);
                    onFrame(FrameHeader.decode(header, 0));
                    if (in.available() == 0) {
                        out.flush();
                    }
                }
            } catch (java.io.EOFException | java.net.SocketException e) {
                return null; // the client went away
            } catch (Throwable t) {
                failures.add(t);
                return null;
            }
        }

        private void onFrame(FrameHeader h) throws IOException {
            switch (h.type()) {
                case PING -> {
                    if (h.has(Flags.SYN)) {
                        send(FrameHeader.ping(Flags.ACK, (int) h.length()), null, 0);
                    }
                }
                case GO_AWAY -> goAwayReceived.set(h.length());
                case DATA, WINDOW_UPDATE -> onStreamFrame(h);
            }
        }

        private void onStreamFrame(FrameHeader h) throws IOException {
            byte[] payload = null;
            if (h.type() == FrameType.DATA) {
                payload = new byte[Math.toIntExact(h.length())];
                in.readFully(payload);
            }
            StreamState s = streams.get(h.streamId());
            if (h.has(Flags.SYN)) {
                if (s != null || (h.streamId() & 1) == 0) {
                    throw new IOException("bad SYN " + h);
                }
                if (goAwaySent) {
                    send(FrameHeader.windowUpdate(h.streamId(), Flags.RST, 0), null, 0);
                    return;
                }
                s = new StreamState(h.streamId());
                streams.put(s.id, s);
                if (!firstStreamSeen) {
                    firstStreamSeen = true;
                    firstStreamId = s.id;
                }
            }
            if (s == null) {
                return; // a stream we already finished or refused
            }
            if (h.has(Flags.RST)) {
                streams.remove(s.id);
                return;
            }
            if (h.type() == FrameType.WINDOW_UPDATE) {
                s.sendWindow += h.length();
            } else if (payload.length > 0) {
                if (payload.length > s.receivable) {
                    throw new IOException("stream " + s.id + " overran its window: " + h);
                }
                s.receivable -= payload.length;
                bytesReceived.addAndGet(payload.length);
                if (mode == Mode.ECHO) {
                    s.pending.add(payload);
                } else {
                    s.request.writeBytes(payload);
                    credit(s, payload.length); // the request is read as it comes, like a rust reader
                }
            }
            if (h.has(Flags.FIN)) {
                s.finReceived = true;
                if (mode == Mode.RESPOND_AFTER_FIN) {
                    s.pending.add(s.request.toByteArray());
                }
            }
            flush(s);
        }

        /** Sends what the window allows, then credit, then FIN once all is echoed after theirs. */
        private void flush(StreamState s) throws IOException {
            while (!s.pending.isEmpty() && s.sendWindow > 0) {
                byte[] head = s.pending.peek();
                int n = (int) Math.min(Math.min(s.sendWindow, MAX_FRAME), head.length - s.headOffset);
                if (n > 0) {
                    send(FrameHeader.data(s.id, s.ackOnce(), n), head, s.headOffset);
                    s.sendWindow -= n;
                    s.headOffset += n;
                    if (mode == Mode.ECHO) {
                        credit(s, n);
                    }
                }
                if (s.headOffset == head.length) {
                    s.pending.poll();
                    s.headOffset = 0;
                }
            }
            if (s.finReceived && s.pending.isEmpty()) {
                send(FrameHeader.windowUpdate(s.id, s.ackOnce() | Flags.FIN, 0), null, 0);
                streams.remove(s.id);
                if (goAwayAfterFirstStream && s.id == firstStreamId && !goAwaySent) {
                    goAwaySent = true;
                    send(FrameHeader.goAway(0), null, 0);
                }
            }
        }

        /** Returns {@code bytes} of window, half a window at a time (the first update carries the ACK). */
        private void credit(StreamState s, int bytes) throws IOException {
            s.uncredited += bytes;
            if (s.uncredited >= WINDOW / 2) {
                send(FrameHeader.windowUpdate(s.id, s.ackOnce(), s.uncredited), null, 0);
                s.receivable += s.uncredited;
                s.uncredited = 0;
            }
        }

        private void send(FrameHeader h, byte[] payload, int offset) throws IOException {
            out.write(h.toBytes());
            if (payload != null) {
                out.write(payload, offset, (int) h.length());
            }
        }
    }
}

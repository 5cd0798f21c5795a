package io.weft.yamux.protocol;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

/**
 * A hand-scripted yamux peer on a plain socket: it writes and reads 12-byte headers itself,
 * independently of the codec under test, so a test states the exact bytes on the wire.
 *
 * <p>Used by one test thread at a time (a test may write from a helper thread while the test
 * thread reads; the socket allows one of each). Every read has a timeout, so a missing frame
 * fails the test instead of hanging it.
 */
final class RawPeer implements AutoCloseable {

    static final int DATA = 0;
    static final int WINDOW_UPDATE = 1;
    static final int PING = 2;
    static final int GO_AWAY = 3;

    static final int SYN = 1;
    static final int ACK = 2;
    static final int FIN = 4;
    static final int RST = 8;

    static final int INITIAL_WINDOW = 256 * 1024;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** One frame as read off the wire; {@code payload} is empty for non-data frames. */
    record Frame(int version, int type, int flags, long streamId, long length, byte[] payload) {

        boolean has(int flag) {
            return (flags & flag) == flag;
        }

        boolean is(int frameType, long id) {
            return type == frameType && streamId == id;
        }

        @Override
        public String toString() {
            String[] names = {"Data", "WindowUpdate", "Ping", "GoAway"};
            String name = type < names.length ? names[type] : "type" + type;
            return name + "[flags=" + flagNames(flags) + ", id=" + streamId + ", length=" + length + "]";
        }

        private static String flagNames(int flags) {
            StringBuilder sb = new StringBuilder();
            String[] names = {"SYN", "ACK", "FIN", "RST"};
            for (int i = 0; i < names.length; i++) {
                if ((flags & (1 << i)) != 0) {
                    sb.append(sb.isEmpty() ? "" : "|").append(names[i]);
                }
            }
            int unknown = flags & ~0xF;
            if (unknown != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(unknown));
            }
            return sb.isEmpty() ? "0" : sb.toString();
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final List<Frame> seen = new ArrayList<>();

    RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        this.socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Raw header bytes, for malformed frames; the version and type are not checked. */
    static byte[] header(int version, int type, int flags, long streamId, long length) {
        ByteBuffer b = ByteBuffer.allocate(12);
        b.put((byte) version).put((byte) type).putShort((short) flags).putInt((int) streamId).putInt((int) length);
        return b.array();
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends a header-only frame (window update, ping, GoAway, or a data frame without body). */
    void send(int type, int flags, long streamId, long length) throws IOException {
        writeRaw(header(0, type, flags, streamId, length));
    }

    /** Sends a data frame with {@code payload} as its body. */
    void sendData(int flags, long streamId, byte[] payload) throws IOException {
        byte[] frame = new byte[12 + payload.length];
        System.arraycopy(header(0, DATA, flags, streamId, payload.length), 0, frame, 0, 12);
        System.arraycopy(payload, 0, frame, 12, payload.length);
        writeRaw(frame);
    }

    void windowUpdate(int flags, long streamId, long delta) throws IOException {
        send(WINDOW_UPDATE, flags, streamId, delta);
    }

    void ping(int flags, long value) throws IOException {
        send(PING, flags, 0, value);
    }

    void goAway(long code) throws IOException {
        send(GO_AWAY, 0, 0, code);
    }

    /**
     * Reads the next frame, including the body of a data frame.
     *
     * @throws SocketTimeoutException if none arrives within {@code timeout}
     * @throws EOFException if the connection ended
     */
    Frame read(Duration timeout) throws IOException {
        socket.setSoTimeout(Math.toIntExact(Math.max(1, timeout.toMillis())));
        byte[] h = new byte[12];
        in.readFully(h);
        ByteBuffer b = ByteBuffer.wrap(h);
        int version = b.get() & 0xFF;
        int type = b.get() & 0xFF;
        int flags = b.getShort() & 0xFFFF;
        long id = b.getInt() & 0xFFFFFFFFL;
        long length = b.getInt() & 0xFFFFFFFFL;
        byte[] payload = new byte[0];
        if (type == DATA && length > 0) {
            if (length > 64L * 1024 * 1024) {
                throw new IOException("peer sent an implausible data frame: " + HexFormat.of().formatHex(h));
            }
            payload = new byte[(int) length];
            in.readFully(payload);
        }
        Frame frame = new Frame(version, type, flags, id, length, payload);
        seen.add(frame);
        return frame;
    }

    Frame read() throws IOException {
        return read(DEFAULT_TIMEOUT);
    }

    /** Reads frames until one matches, skipping the others; fails after {@code timeout} in total. */
    Frame await(String what, Predicate<Frame> match, Duration timeout) throws IOException {
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        List<Frame> skipped = new ArrayList<>();
        while (true) {
            long leftMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                throw new AssertionError("no " + what + " within " + timeout + "; skipped " + skipped);
            }
            Frame f;
            try {
                f = read(Duration.ofMillis(leftMillis));
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no " + what + " within " + timeout + "; skipped " + skipped, e);
            } catch (EOFException | SocketException e) {
                throw new AssertionError("connection ended before " + what + "; skipped " + skipped, e);
            }
            if (match.test(f)) {
                return f;
            }
            skipped.add(f);
        }
    }

    Frame await(String what, Predicate<Frame> match) throws IOException {
        return await(what, match, DEFAULT_TIMEOUT);
    }

    /** Waits for a GoAway frame and returns its code. */
    long awaitGoAway() throws IOException {
        return await("GoAway", f -> f.type() == GO_AWAY).length();
    }

    /**
     * Reads {@code bytes} bytes of data on {@code streamId}, skipping other frames, and returns
     * them with the data frames they came in.
     */
    byte[] readData(long streamId, int bytes, List<Frame> frames) throws IOException {
        ByteArrayOutputStream collected = new ByteArrayOutputStream(bytes);
        while (collected.size() < bytes) {
            Frame f = await(bytes - collected.size() + " more data bytes on stream " + streamId,
                    x -> x.is(DATA, streamId) && x.length() > 0);
            collected.writeBytes(f.payload());
            if (frames != null) {
                frames.add(f);
            }
        }
        return collected.toByteArray();
    }

    /**
     * Waits until the other end closes the connection, discarding frames, and returns them.
     *
     * @throws AssertionError if the connection is still open after {@code timeout}
     */
    List<Frame> awaitConnectionClosed(Duration timeout) throws IOException {
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        List<Frame> frames = new ArrayList<>();
        while (true) {
            long leftMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                throw new AssertionError("connection still open after " + timeout + "; frames " + frames);
            }
            try {
                frames.add(read(Duration.ofMillis(leftMillis)));
            } catch (EOFException | SocketException e) {
                return frames;
            } catch (SocketTimeoutException e) {
                throw new AssertionError("connection still open after " + timeout + "; frames " + frames, e);
            }
        }
    }

    /**
     * Asserts that no frame matching {@code match} arrives within {@code quiet}; other frames are
     * skipped. A bounded negative check: the only way to observe that something does not happen.
     */
    void assertNone(String what, Predicate<Frame> match, Duration quiet) throws IOException {
        long deadlineNanos = System.nanoTime() + quiet.toNanos();
        while (true) {
            long leftMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                return;
            }
            Frame f;
            try {
                f = read(Duration.ofMillis(leftMillis));
            } catch (SocketTimeoutException e) {
                return;
            }
            if (match.test(f)) {
                throw new AssertionError("unexpected " + what + ": " + f);
            }
        }
    }

    /** Sends a ping with {@code value} and waits for its reply: proof the session still reads. */
    void assertAlive(long value) throws IOException {
        ping(SYN, value);
        await("Ping|ACK " + value, f -> f.type() == PING && f.has(ACK) && f.length() == value);
    }

    /** All frames read so far, in order. */
    List<Frame> seen() {
        return seen;
    }

    InputStream inputStream() {
        return in;
    }

    Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

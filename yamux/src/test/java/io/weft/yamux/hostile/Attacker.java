package io.weft.yamux.hostile;

import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import io.weft.yamux.frame.MalformedFrameException;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The hostile peer: a plain TCP socket on which a test writes yamux frames by hand with the
 * {@code io.weft.yamux.frame} codec (and raw bytes the codec would refuse to write), in the
 * client role (odd stream ids), and reads what the victim answers.
 *
 * <p>Writes are buffered: call {@link #flush()} (the single-frame helpers do) so a flood of small
 * frames leaves in large TCP writes, as a real attacker's would. One writing thread and one reading
 * thread at a time.
 */
final class Attacker implements AutoCloseable {

    /**
     * What the victim's side of the connection did, as seen by {@link #awaitEnd}.
     *
     * @param goAwayCode the first GoAway's code, or null
     * @param closed whether the victim closed the connection
     * @param nanos from the last flush to the close (or to giving up)
     * @param goAwayNanos from the last flush to the GoAway, or -1
     */
    record End(Long goAwayCode, boolean closed, long nanos, long goAwayNanos) {

        /** Time to the first sign of a reaction: the GoAway, else the close; -1 for neither. */
        long reactNanos() {
            return goAwayNanos >= 0 ? goAwayNanos : closed ? nanos : -1;
        }

        /** The response column of the figures: "GoAway(1), closed", "closed", "open". */
        String describe() {
            String goAway = goAwayCode == null ? "" : "GoAway(" + goAwayCode + ")";
            if (closed) {
                return goAway.isEmpty() ? "closed (no GoAway)" : goAway + ", closed";
            }
            return goAway.isEmpty() ? "still open" : goAway + ", still open";
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final byte[] header = new byte[FrameHeader.SIZE];
    private long sentNanos = System.nanoTime();

    Attacker(InetSocketAddress victim) throws IOException {
        this(victim, 0);
    }

    /** Connects; with {@code receiveBufferBytes > 0} the socket's receive buffer is that small. */
    Attacker(InetSocketAddress victim, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.setTcpNoDelay(true);
        socket.connect(victim, 5_000);
        in = new DataInputStream(socket.getInputStream());
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /** Buffers one header-only frame. */
    Attacker frame(FrameHeader frame) throws IOException {
        frame.encode(header, 0);
        out.write(header);
        return this;
    }

    /** Buffers one data frame with its payload; the length field is the payload's. */
    Attacker data(int streamId, int flags, byte[] payload) throws IOException {
        frame(FrameHeader.data(streamId, flags, payload.length));
        out.write(payload);
        return this;
    }

    /** Buffers raw bytes (malformed headers, garbage). */
    Attacker raw(byte[] bytes) throws IOException {
        out.write(bytes);
        return this;
    }

    /** Writes everything buffered and notes the time: {@link End#nanos()} counts from here. */
    Attacker flush() throws IOException {
        out.flush();
        sentNanos = System.nanoTime();
        return this;
    }

    /** Sends one frame at once. */
    Attacker send(FrameHeader frame) throws IOException {
        return frame(frame).flush();
    }

    /**
     * Reads the next frame header (a data frame's payload is read and dropped).
     *
     * @return the header, or null when the connection ended (EOF or reset)
     * @throws SocketTimeoutException if nothing arrives within {@code timeout}
     * @throws MalformedFrameException if the victim sent a frame the codec does not know
     */
    FrameHeader read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        try {
            in.readFully(header);
            FrameHeader frame = FrameHeader.decode(header, 0);
            if (frame.type() == FrameType.DATA && frame.length() > 0) {
                in.skipNBytes(frame.length());
            }
            return frame;
        } catch (EOFException e) {
            return null;
        } catch (SocketException e) {
            if (socket.isClosed()) {
                throw e;
            }
            return null; // connection reset by the victim
        }
    }

    /**
     * Reads (and drops) frames until the victim closes the connection or {@code timeout} passes,
     * and reports the GoAway it sent and when the connection ended.
     */
    End awaitEnd(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Long goAway = null;
        long goAwayNanos = -1;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new End(goAway, false, System.nanoTime() - sentNanos, goAwayNanos);
            }
            FrameHeader frame;
            try {
                frame = read(Duration.ofNanos(left));
            } catch (SocketTimeoutException e) {
                return new End(goAway, false, System.nanoTime() - sentNanos, goAwayNanos);
            }
            if (frame == null) {
                return new End(goAway, true, System.nanoTime() - sentNanos, goAwayNanos);
            }
            if (frame.type() == FrameType.GO_AWAY && goAway == null) {
                goAway = frame.length();
                goAwayNanos = System.nanoTime() - sentNanos;
            }
        }
    }

    /** Nanoseconds since the last {@link #flush()}. */
    long sinceSent() {
        return System.nanoTime() - sentNanos;
    }

    Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}

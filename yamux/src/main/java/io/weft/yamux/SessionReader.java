package io.weft.yamux;

import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import io.weft.yamux.frame.GoAwayCodes;
import io.weft.yamux.frame.MalformedFrameException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The session's one reader thread: decodes frames from the connection and dispatches them.
 * It never runs user code and never writes; frames it produces are queued on {@link Outbound},
 * never dropped. It is the only thread that throttles the peer: before each frame it waits while
 * {@link Outbound#CONTROL_QUEUE_LIMIT} control frames are unsent (the peer does not read them), so
 * it stops reading from a peer that does not read, and the queue stays bounded. Data is copied
 * from its input buffer into the stream's buffer in pieces, so it never blocks on the connection
 * while holding a stream lock, and allocates nothing per frame except receive chunks for admitted
 * bytes.
 *
 * <p>Every exit goes through one place: a peer protocol violation sends GoAway(1); an unexpected
 * exception sends GoAway(2); the end of the connection fails the session. No exception escapes.
 */
final class SessionReader implements Runnable {
    private final Session session;
    private final Transport transport;
    /** Small while the connection is quiet, large under load; see {@link ReaderBuffer}. */
    private final ReaderBuffer buffer;
    /** {@code buffer}'s current buffer and its array, renewed by {@link #fill}; unread bytes are [position, limit). */
    private ByteBuffer in;
    private byte[] bytes;
    /** The largest window this session ever grants: no data frame, on any stream, may be longer. */
    private final long maxUnknownStreamFrameBytes;
    /** Whether a valid frame header has been read: until then a bad one means the peer may not speak yamux. */
    private boolean framesSeen;

    SessionReader(Session session, Transport transport) {
        this.session = session;
        this.transport = transport;
        this.buffer = new ReaderBuffer(session.clock);
        this.in = buffer.current();
        this.bytes = in.array();
        this.maxUnknownStreamFrameBytes = Math.max(session.config.maxAutoTunedWindowBytes(),
                session.config.streamWindowBytes());
    }

    @Override
    public void run() {
        try {
            while (readFrame()) {
                // next frame
            }
            session.onTransportEnd(null);
        } catch (YamuxProtocolException e) {
            session.onProtocolError(e);
        } catch (MalformedFrameException e) {
            session.onProtocolError(framesSeen
                    ? new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, e.getMessage(), false)
                    : YamuxProtocolException.notYamux(GoAwayCodes.PROTOCOL_ERROR, e.getMessage(), unreadBytes()));
        } catch (IOException e) {
            session.onTransportEnd(e);
        } catch (RuntimeException | Error e) {
            RateLimitedLog.LOGGER.log(System.Logger.Level.ERROR, session + ": reader failed", e);
            session.fail(new SessionClosedException("yamux internal error: " + e, e), GoAwayCodes.INTERNAL_ERROR);
        }
    }

    /** Reads and handles one frame; returns false at a clean end of the connection. */
    private boolean readFrame() throws IOException {
        // One frame queues at most a few control frames, so waiting here, between frames, keeps the
        // queue within a few frames of its limit whatever the peer sends.
        session.outbound.awaitControlSpace();
        if (!fill(FrameHeader.SIZE, true)) {
            return false;
        }
        int at = in.position();
        FrameType type = FrameHeader.checkedType(bytes, at);
        int flags = FrameHeader.flagsAt(bytes, at);
        int streamId = FrameHeader.streamIdAt(bytes, at);
        long length = FrameHeader.lengthAt(bytes, at);
        in.position(at + FrameHeader.SIZE);
        framesSeen = true;
        session.pings.markReceived();
        session.counters.frameIn(type);
        switch (type) {
            case DATA -> onData(streamId, flags, length);
            case WINDOW_UPDATE -> onWindowUpdate(streamId, flags, length);
            case PING -> session.pings.onFrame(flags, length); // any stream id tolerated, as hashicorp
            case GO_AWAY -> session.onGoAway(length);
        }
        return true;
    }

    private void onData(int streamId, int flags, long length) throws IOException {
        // First the one bound that holds for every data frame, whatever its flags and stream: no
        // window we grant is larger, so a longer frame is never read, drained or buffered.
        if (length > maxUnknownStreamFrameBytes) {
            throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, length + " bytes of data beyond the receive window on stream "
                    + Integer.toUnsignedString(streamId) + " (larger than any window granted)", false);
        }
        Stream stream = streamFor(streamId, flags);
        if (stream == null) {
            drain(streamId, length, (flags & Flags.SYN) != 0 ? FrameHeader.INITIAL_STREAM_WINDOW : maxUnknownStreamFrameBytes);
            return;
        }
        // The length is judged first, against the window, whatever the flags: a Data|RST frame
        // must not escape the check by resetting the stream before it (it would then be drained,
        // up to 4 GiB). Then ACK and RST apply before the payload, FIN after it: a reader woken by
        // the FIN must already find the frame's data buffered (Data|FIN carries the last bytes).
        if (length > 0) {
            admit(stream, streamId, length);
        }
        stream.onFlags(flags & ~Flags.FIN, 0);
        if (length > 0) {
            copyPayload(stream, length);
        }
        if ((flags & Flags.FIN) != 0) {
            stream.onFlags(Flags.FIN, 0);
        }
    }

    /** Charges a data frame's length to its stream's receive window; beyond it is a protocol error. */
    private void admit(Stream stream, int streamId, long length) throws YamuxProtocolException {
        int admitted = stream.admitData(length);
        if (admitted == RecvSide.ADMIT_VIOLATION) {
            throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, length + " bytes of data beyond the receive window on stream "
                    + Integer.toUnsignedString(streamId), false);
        }
    }

    /** Hands an admitted payload to its stream (which drops it if the stream was reset meanwhile). */
    private void copyPayload(Stream stream, long length) throws IOException {
        session.counters.bytesIn.add(length);
        long remaining = length;
        while (remaining > 0) {
            if (!in.hasRemaining()) {
                fill(1, false);
            }
            int piece = (int) Math.min(remaining, in.remaining());
            stream.appendData(bytes, in.position(), piece);
            in.position(in.position() + piece);
            remaining -= piece;
        }
    }

    private void onWindowUpdate(int streamId, int flags, long length) throws IOException {
        Stream stream = streamFor(streamId, flags);
        if (stream == null) {
            return; // late update for a finished stream (js #91): ignore
        }
        boolean reset = (flags & Flags.RST) != 0;
        stream.onFlags(flags, reset ? length : 0);
        if (!reset && !stream.onWindowUpdate(length)) {
            throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, "window update of " + length
                    + " overflows the send window of stream " + Integer.toUnsignedString(streamId), false);
        }
    }

    /** The stream for a frame, registering it on SYN; null when unknown or refused. */
    private Stream streamFor(int streamId, int flags) throws YamuxProtocolException {
        if (streamId == 0) {
            throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, "data or window update on stream 0", false);
        }
        if ((flags & Flags.SYN) != 0) {
            return session.onInboundSyn(streamId);
        }
        return session.stream(streamId);
    }

    /** Skips a payload for a stream we do not know, without buffering it. */
    private void drain(int streamId, long length, long maxBytes) throws IOException {
        if (length > maxBytes) {
            throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, "data frame of " + length
                    + " bytes for unknown stream " + Integer.toUnsignedString(streamId) + " exceeds any window granted", false);
        }
        long remaining = length;
        while (remaining > 0) {
            if (!in.hasRemaining()) {
                fill(1, false);
            }
            int piece = (int) Math.min(remaining, in.remaining());
            in.position(in.position() + piece);
            remaining -= piece;
        }
    }

    /** A copy of the buffered, unread bytes, at most {@link YamuxProtocolException#FIRST_BYTES_LIMIT}. */
    private byte[] unreadBytes() {
        int count = Math.min(in.remaining(), YamuxProtocolException.FIRST_BYTES_LIMIT);
        return java.util.Arrays.copyOfRange(bytes, in.position(), in.position() + count);
    }

    /** The input buffer. Visible for testing. */
    ReaderBuffer buffer() {
        return buffer;
    }

    /** The timer's hook: drops the input buffer's large spare once unused for a while. */
    void releaseIdleSpare(long nowNanos) {
        buffer.releaseIdleSpare(nowNanos);
    }

    /**
     * Ensures at least {@code needed} unread bytes are buffered.
     *
     * @param atFrameStart whether an end of connection here is clean
     * @return false at a clean end (nothing buffered, at a frame start)
     */
    private boolean fill(int needed, boolean atFrameStart) throws IOException {
        if (in.remaining() >= needed) {
            return true;
        }
        in = buffer.beforeRead(); // the small or the large buffer, with the unread bytes
        bytes = in.array();
        in.compact(); // now in write mode: unread bytes are [0, position)
        try {
            while (in.position() < needed) {
                int roomBytes = in.remaining();
                int n = transport.read(in);
                if (n < 0) {
                    if (atFrameStart && in.position() == 0) {
                        return false;
                    }
                    throw new TruncatedFrameException("connection ended in the middle of a frame");
                }
                buffer.afterRead(n, roomBytes);
            }
        } finally {
            in.flip();
        }
        return true;
    }
}

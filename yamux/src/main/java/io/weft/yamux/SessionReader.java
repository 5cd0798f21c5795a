package io.weft.yamux;

import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import io.weft.yamux.frame.GoAwayCodes;
import io.weft.yamux.frame.MalformedFrameException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The session's one reader thread: decodes frames from the connection and dispatches them.
 * It never runs user code and never writes; frames it produces are queued on {@link Outbound}
 * (it may wait only when {@link Outbound#CONTROL_QUEUE_LIMIT} of them are unsent, i.e. the peer
 * stopped reading). Data is copied from its input buffer into the stream's buffer in pieces, so
 * it never blocks on the connection while holding a stream lock, and allocates nothing per frame
 * except receive chunks for admitted bytes.
 *
 * <p>Every exit goes through one place: a peer protocol violation sends GoAway(1); an unexpected
 * exception sends GoAway(2); the end of the connection fails the session. No exception escapes.
 */
final class SessionReader implements Runnable {
    private static final int BUFFER_BYTES = 128 * 1024;

    private final Session session;
    private final Transport transport;
    /** Unread bytes are [position, limit). */
    private final ByteBuffer in = ByteBuffer.allocate(BUFFER_BYTES).limit(0);
    private final byte[] bytes = in.array();
    /** Data frame payload accepted for a stream we do not know (never granted more than this). */
    private final long maxUnknownStreamFrameBytes;

    SessionReader(Session session, Transport transport) {
        this.session = session;
        this.transport = transport;
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
            session.onProtocolError(new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, e.getMessage(), false));
        } catch (IOException e) {
            session.onTransportEnd(e);
        } catch (RuntimeException | Error e) {
            RateLimitedLog.LOGGER.log(System.Logger.Level.ERROR, session + ": reader failed", e);
            session.fail(new SessionClosedException("yamux internal error: " + e, e), GoAwayCodes.INTERNAL_ERROR);
        }
    }

    /** Reads and handles one frame; returns false at a clean end of the connection. */
    private boolean readFrame() throws IOException {
        if (!fill(FrameHeader.SIZE, true)) {
            return false;
        }
        int at = in.position();
        FrameType type = FrameHeader.checkedType(bytes, at);
        int flags = FrameHeader.flagsAt(bytes, at);
        int streamId = FrameHeader.streamIdAt(bytes, at);
        long length = FrameHeader.lengthAt(bytes, at);
        in.position(at + FrameHeader.SIZE);
        session.pings.markReceived();
        session.counters.frameIn(type);
        switch (type) {
            case DATA -> onData(streamId, flags, length);
            case WINDOW_UPDATE -> onWindowUpdate(streamId, flags, length);
            case PING -> session.onPing(flags, length); // any stream id tolerated, as hashicorp
            case GO_AWAY -> session.onGoAway(length);
        }
        return true;
    }

    private void onData(int streamId, int flags, long length) throws IOException {
        Stream stream = streamFor(streamId, flags);
        if (stream == null) {
            drain(streamId, length, (flags & Flags.SYN) != 0 ? FrameHeader.INITIAL_STREAM_WINDOW : maxUnknownStreamFrameBytes);
            return;
        }
        // ACK and RST apply before the payload, FIN after it: a reader woken by the FIN must
        // already find the frame's data buffered (Data|FIN carries the last bytes).
        stream.onFlags(flags & ~Flags.FIN, 0);
        if (length > 0) {
            readPayload(stream, streamId, length);
        }
        if ((flags & Flags.FIN) != 0) {
            stream.onFlags(Flags.FIN, 0);
        }
    }

    private void readPayload(Stream stream, int streamId, long length) throws IOException {
        int admitted = stream.admitData(length);
        if (admitted == RecvSide.ADMIT_VIOLATION) {
            throw new YamuxProtocolException(GoAwayCodes.PROTOCOL_ERROR, length + " bytes of data beyond the receive window on stream "
                    + Integer.toUnsignedString(streamId), false);
        }
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
        in.compact(); // now in write mode: unread bytes are [0, position)
        try {
            while (in.position() < needed) {
                int n = transport.read(in);
                if (n < 0) {
                    if (atFrameStart && in.position() == 0) {
                        return false;
                    }
                    throw new EOFException("connection ended in the middle of a frame");
                }
            }
        } finally {
            in.flip();
        }
        return true;
    }
}

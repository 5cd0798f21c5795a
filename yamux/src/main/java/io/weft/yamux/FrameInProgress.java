package io.weft.yamux;

/**
 * The data frame whose payload the session reader is part-way through: where its remaining
 * bytes go (a stream, or nowhere for a drained frame), how many remain, and whether its FIN
 * applies once they are in. Kept outside the reading thread's stack so that whoever holds the
 * {@link ReadRole} may stop at any byte (a leading caller whose deadline passed, whose stream was
 * closed or reset, or who was interrupted) and the next holder resumes exactly there.
 *
 * <p>Thread rules: only the thread holding the read role touches it; the role's CAS hands its
 * fields from one holder to the next (see {@link ReadRole}).
 */
final class FrameInProgress {
    /** The stream the payload goes to; null while idle or when the payload is drained. */
    private Stream stream;
    /** Payload bytes still to read; 0 = no frame in progress. */
    private long remainingBytes;
    /** Whether the frame carried FIN, applied after its last byte. */
    private boolean finPending;

    /** Starts a data frame's payload of {@code lengthBytes} (> 0) for {@code stream} (null = drain it). */
    void begin(Stream stream, long lengthBytes, boolean fin) {
        if (remainingBytes != 0) {
            throw new IllegalStateException("a frame is already in progress: " + this);
        }
        this.stream = stream;
        this.remainingBytes = lengthBytes;
        this.finPending = fin;
    }

    /** Whether a payload is part-read (the next read of the connection continues it). */
    boolean active() {
        return remainingBytes > 0;
    }

    /** The stream the payload goes to; null when it is drained. */
    Stream stream() {
        return stream;
    }

    long remainingBytes() {
        return remainingBytes;
    }

    /** Records {@code bytes} more of the payload as handled. */
    void consumed(int bytes) {
        remainingBytes -= bytes;
    }

    /**
     * Ends the frame once its payload is in: returns the stream its FIN now applies to, or null.
     * The object is idle afterwards.
     */
    Stream finish() {
        Stream finTo = finPending ? stream : null;
        stream = null;
        finPending = false;
        remainingBytes = 0;
        return finTo;
    }

    @Override
    public String toString() {
        return remainingBytes == 0 ? "idle"
                : remainingBytes + " bytes to " + (stream == null ? "drain" : "stream " + Integer.toUnsignedString(stream.id()))
                        + (finPending ? ", then FIN" : "");
    }
}

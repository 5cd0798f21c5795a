package io.weft.yamux;

import java.io.EOFException;

/**
 * The connection ended in the middle of a frame: after part of a header or before the whole
 * payload arrived. Unlike an end between frames (a clean close, the session's close cause then
 * has no cause of this kind), it means the peer died mid-write or the input was cut short, e.g.
 * a truncated file piped into a session over stdin. The cause of the session's
 * {@link SessionClosedException}.
 */
public class TruncatedFrameException extends EOFException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message saying where the input ended. */
    public TruncatedFrameException(String message) {
        super(message);
    }
}

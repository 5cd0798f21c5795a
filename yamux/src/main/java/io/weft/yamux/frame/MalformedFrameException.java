package io.weft.yamux.frame;

import java.io.IOException;

/**
 * A frame header that no yamux peer may send: a version other than 0 or an unknown type. The
 * session answers it with GoAway(protocol error) and fails.
 */
public class MalformedFrameException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the offending field and value. */
    public MalformedFrameException(String message) {
        super(message);
    }
}

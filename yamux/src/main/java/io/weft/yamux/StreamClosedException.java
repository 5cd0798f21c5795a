package io.weft.yamux;

import java.io.IOException;

/**
 * The stream was closed locally in the direction the operation needs: a write after
 * {@link Stream#closeWrite()} or {@link Stream#close()}, or any I/O after {@code close()}.
 */
public class StreamClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message saying which stream and direction. */
    public StreamClosedException(String message) {
        super(message);
    }
}

package io.weft.yamux;

import java.io.IOException;

/**
 * The session is closed or failed, so the operation cannot run. {@link #getCause()} is the first
 * failure when the session did not close cleanly (the transport's {@code IOException}, for
 * example), or {@code null} after a local {@link Session#close()}.
 */
public class SessionClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message and the first failure, or {@code null}. */
    public SessionClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}

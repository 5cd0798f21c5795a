package io.weft.yamux;

import java.net.SocketTimeoutException;

/**
 * A write to the underlying connection made no progress for the connection write timeout, so
 * the session failed (the peer is not reading). Every blocked and later call gets this exception.
 */
public class WriteTimeoutException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message giving the timeout. */
    public WriteTimeoutException(String message) {
        super(message);
    }
}

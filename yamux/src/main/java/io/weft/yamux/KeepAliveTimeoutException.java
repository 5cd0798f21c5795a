package io.weft.yamux;

import java.net.SocketTimeoutException;

/**
 * A keepalive ping got no reply within the connection write timeout, so the session failed.
 * Every blocked and later call on the session and its streams gets this exception.
 */
public class KeepAliveTimeoutException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message giving the timeout. */
    public KeepAliveTimeoutException(String message) {
        super(message);
    }
}

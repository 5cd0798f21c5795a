package io.weft.netpoll;

import java.net.SocketException;

/**
 * Thrown when the peer aborted the connection: it was reset ({@code ECONNRESET}, "connection
 * reset by peer") or a write found the peer gone ({@code EPIPE}, "broken pipe"). The connection
 * is unusable afterwards; close it.
 *
 * <p>The message names the operation and the addresses, for example {@code "read tcp
 * 127.0.0.1:5000->127.0.0.1:41234: connection reset by peer"}.
 */
public class ConnectionResetException extends SocketException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the full message, naming the operation and the addresses
     */
    public ConnectionResetException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the underlying cause.
     *
     * @param message the full message, naming the operation and the addresses
     * @param cause the error reported by the platform
     */
    public ConnectionResetException(String message, Throwable cause) {
        super(message, cause);
    }
}

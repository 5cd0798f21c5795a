package io.weft.netpoll;

import java.net.SocketTimeoutException;

/**
 * Thrown when an I/O call's deadline passes before it completes; Go's "i/o timeout".
 *
 * <p>The connection stays usable: move the deadline and call again. On a write, {@link
 * #bytesTransferred} holds the number of bytes written before the deadline.
 */
public class DeadlineExceededException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with Go's message, "i/o timeout". */
    public DeadlineExceededException() {
        super("i/o timeout");
    }

    /** Creates the exception naming the operation, e.g. {@code "read tcp 127.0.0.1:80: i/o timeout"}. */
    public DeadlineExceededException(String message) {
        super(message);
    }
}

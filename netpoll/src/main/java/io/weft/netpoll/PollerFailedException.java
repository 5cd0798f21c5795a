package io.weft.netpoll;

import java.io.IOException;

/**
 * Thrown by a call on a connection or listener whose poller thread died (an unexpected {@code
 * epoll_wait} error): the socket gets no more readiness events, so every call blocked on it and
 * every later call fails with this exception, whose cause is the poller's error. Close the
 * connection; new connections go to a live poller.
 *
 * <p>The message names the operation and the addresses, for example {@code "read tcp
 * 127.0.0.1:5000->127.0.0.1:41234: poller failed: ..."}.
 */
public class PollerFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the operation, the addresses and the reason
     * @param cause the error that stopped the poller
     */
    public PollerFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.weft.netpoll;

import java.net.SocketException;

/**
 * Thrown by {@link Listener#accept()} for a failure that passes: out of file descriptors ({@code
 * EMFILE}, {@code ENFILE}), out of kernel memory ({@code ENOBUFS}, {@code ENOMEM}), or a network
 * error that belongs to the connection being accepted, not the listener ({@code EPROTO}, {@code
 * ENETDOWN}, {@code EPERM} from a firewall, ...); Go's {@code Temporary()} accept errors. The
 * listener is still open and the pending connection is still queued: retry after a back-off, as
 * Go's {@code net/http} server does (5 ms, doubling to 1 s, reset by a successful accept). Distinct
 * from {@link NetClosedException}, which means the listener was closed and no retry can succeed.
 *
 * <p>The message names the operation, the listener and the reason, e.g. {@code "accept tcp
 * 127.0.0.1:5000: too many open files"}.
 */
public class TemporaryAcceptException extends SocketException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param where the network and address of the listener, e.g. {@code "tcp 127.0.0.1:5000"}
     * @param reason what failed, e.g. {@code "too many open files"}
     */
    public TemporaryAcceptException(String where, String reason) {
        super("accept " + where + ": " + reason);
    }
}

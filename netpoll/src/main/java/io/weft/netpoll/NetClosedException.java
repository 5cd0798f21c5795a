package io.weft.netpoll;

import java.net.SocketException;

/**
 * Thrown by a call on a connection or listener that has been closed on this side, or that was
 * closed while the call was blocked; Go's {@code net.ErrClosed}, "use of closed network
 * connection". Also thrown by a write after {@link Conn#closeWrite()}.
 *
 * <p>The message names the operation and the addresses, as Go's {@code net.OpError} does, for
 * example {@code "read tcp 127.0.0.1:5000->127.0.0.1:41234: use of closed network connection"}.
 */
public class NetClosedException extends SocketException {
    private static final long serialVersionUID = 1L;

    /** Go's text for this error. */
    public static final String CLOSED = "use of closed network connection";

    private final String op;

    /**
     * Creates the exception.
     *
     * @param op the operation that failed: "read", "write", "accept", "set", ...
     * @param where the network and addresses, e.g. {@code "tcp 127.0.0.1:5000->127.0.0.1:41234"}
     */
    public NetClosedException(String op, String where) {
        this(op, where, CLOSED);
    }

    /**
     * Creates the exception with a reason other than {@link #CLOSED}.
     *
     * @param op the operation that failed
     * @param where the network and addresses
     * @param reason what was closed, e.g. "write side closed"
     */
    public NetClosedException(String op, String where, String reason) {
        super(op + " " + where + ": " + reason);
        this.op = op;
    }

    /** The operation that failed, e.g. {@code "read"}. */
    public String op() {
        return op;
    }
}

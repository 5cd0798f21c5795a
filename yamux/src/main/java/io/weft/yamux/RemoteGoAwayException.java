package io.weft.yamux;

import io.weft.yamux.frame.GoAwayCodes;
import java.io.IOException;

/**
 * The peer sent GoAway. With code 0 ({@link GoAwayCodes#NORMAL}) it is thrown by
 * {@link Session#openStream()} only, and existing streams go on (hashicorp semantics). With any
 * other code except 1 the session failed, and every blocked and later call gets this exception
 * (code 1 is reported as {@link YamuxProtocolException}).
 */
public class RemoteGoAwayException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long code;

    /**
     * Creates the exception for the GoAway code the peer sent: unsigned 32 bits, of which only the
     * low 32 count (an {@code int} holding the wire's bits gives the same code as its unsigned value).
     */
    public RemoteGoAwayException(long code) {
        super("peer sent GoAway (" + GoAwayCodes.describe(code) + ")");
        this.code = code & 0xFFFF_FFFFL;
    }

    /** The GoAway code the peer sent, 0 to 2^32-1 (unsigned 32 bits on the wire, never negative); see {@link GoAwayCodes}. */
    public long code() {
        return code;
    }
}

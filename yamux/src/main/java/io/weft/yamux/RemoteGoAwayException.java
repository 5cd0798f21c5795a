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

    private final int code;

    /** Creates the exception for the GoAway code the peer sent (unsigned 32 bits). */
    public RemoteGoAwayException(int code) {
        super("peer sent GoAway (" + GoAwayCodes.describe(code) + ")");
        this.code = code;
    }

    /** The GoAway code the peer sent, unsigned 32 bits; see {@link GoAwayCodes}. */
    public int code() {
        return code;
    }
}

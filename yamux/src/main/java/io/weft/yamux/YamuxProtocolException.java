package io.weft.yamux;

import io.weft.yamux.frame.GoAwayCodes;
import java.io.IOException;

/**
 * The protocol was broken, so the session failed: either the peer sent something no yamux peer
 * may send (we answered with GoAway({@link GoAwayCodes#PROTOCOL_ERROR})), or the peer told us with
 * GoAway(1) that we did. Every blocked and later call gets this exception.
 */
public class YamuxProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long goAwayCode;
    private final String reason;
    private final boolean remote;

    /**
     * Creates the exception.
     *
     * @param goAwayCode the GoAway code sent or received, normally {@link GoAwayCodes#PROTOCOL_ERROR};
     *     unsigned 32 bits, of which only the low 32 count
     * @param reason what was wrong, for example "data beyond the receive window on stream 3"
     * @param remote whether the peer reported the error (we received the GoAway)
     */
    public YamuxProtocolException(long goAwayCode, String reason, boolean remote) {
        super((remote ? "peer reported a yamux protocol error" : "yamux protocol error") + ": " + reason);
        this.goAwayCode = goAwayCode & 0xFFFF_FFFFL;
        this.reason = reason;
        this.remote = remote;
    }

    /** The GoAway code that was sent or received, 0 to 2^32-1 (unsigned 32 bits, never negative). */
    public long goAwayCode() {
        return goAwayCode;
    }

    /** What was wrong. */
    public String reason() {
        return reason;
    }

    /** Whether the peer reported the error, rather than this side detecting it. */
    public boolean isRemote() {
        return remote;
    }
}

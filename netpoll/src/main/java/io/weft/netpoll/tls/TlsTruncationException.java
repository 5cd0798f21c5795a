package io.weft.netpoll.tls;

import javax.net.ssl.SSLException;

/**
 * The connection under a {@link TlsConn} ended without the peer's close_notify: the data may have
 * been cut short by an attacker or a crash, so it is an error, never a clean end of stream.
 */
public class TlsTruncationException extends SSLException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its message. */
    public TlsTruncationException(String message) {
        super(message);
    }
}

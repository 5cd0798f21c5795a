package io.weft.cli;

import java.io.IOException;

/**
 * The peer speaks another protocol than this side expected on the connection, in a way that
 * names the fix (a TLS server reached without {@code --tls-pin}): exit code 3, like a yamux
 * protocol error, and never worth reconnecting for.
 */
final class ProtocolMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    ProtocolMismatchException(String message) {
        super(message);
    }
}

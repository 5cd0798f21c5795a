package io.weft.cli;

import java.io.IOException;

/**
 * The peer and this side did not authenticate each other: a wrong or missing shared token, or a
 * server that requires one from a client that has none. Exit code 5 ({@link Failures#AUTH}). The
 * message never contains the token.
 */
final class AuthenticationFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    AuthenticationFailedException(String message) {
        super(message);
    }

    AuthenticationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}

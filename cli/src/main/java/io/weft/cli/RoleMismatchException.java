package io.weft.cli;

import java.io.IOException;

/**
 * Both ends of a tunnel play the same part, two entries ({@code --from}) or two exits
 * ({@code --to}), so no connection could ever be forwarded; the message names the flag to change.
 * A configuration mistake: exit code 2, never retried.
 */
final class RoleMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    RoleMismatchException(String message) {
        super(message);
    }
}

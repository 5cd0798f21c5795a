package io.weft.cli;

/**
 * A stream's first bytes are not a preamble this side can use (see {@link Preamble}). Carries the
 * status a reply would give; the subclass {@link NotAPreamble} says the peer sent no preamble at
 * all (a flag mismatch between the two ends).
 */
class PreambleException extends java.net.ProtocolException {
    private static final long serialVersionUID = 1L;
    private final Preamble.Status status;

    PreambleException(String message, Preamble.Status status) {
        super(message);
        this.status = status;
    }

    /** The status to answer with. */
    Preamble.Status status() {
        return status;
    }

    /** The magic bytes are wrong: the peer speaks plain streams (or something else entirely). */
    static final class NotAPreamble extends PreambleException {
        private static final long serialVersionUID = 1L;

        NotAPreamble(String message) {
            super(message, Preamble.Status.FAILURE);
        }
    }
}

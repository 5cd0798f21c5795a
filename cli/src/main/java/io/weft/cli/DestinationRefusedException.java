package io.weft.cli;

/** The exit answered a preamble with a status other than OK; the stream is closed. */
final class DestinationRefusedException extends java.io.IOException {
    private static final long serialVersionUID = 1L;
    private final Preamble.Status status;

    DestinationRefusedException(Destination destination, Preamble.Status status) {
        super("the exit refused " + destination + ": " + status.description());
        this.status = status;
    }

    /** What the exit said. */
    Preamble.Status status() {
        return status;
    }
}

package io.weft.yamux;

import java.io.IOException;

/**
 * A shared {@link MemoryBudget} refused a new session or stream: it would exceed the budget's
 * bytes, sessions or streams. Thrown by {@link Session#openStream()} (the session and its other
 * streams keep working), and the {@link Session#closeCause()} of a session refused at start (it
 * sent GoAway(2) and closed). Retrying later, once other streams or sessions ended, may succeed.
 */
public class LimitExceededException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; {@code message} says which limit was reached. */
    public LimitExceededException(String message) {
        super(message);
    }
}

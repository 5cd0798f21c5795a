package io.weft.yamux;

import java.io.IOException;

/**
 * Turns a session's first failure into the exception one caller gets: a fresh instance of the
 * same type (so each caller's stack trace is its own) whose cause is the original. Stateless.
 */
final class Failures {
    private Failures() {
    }

    /** A new exception of {@code first}'s kind for one caller. */
    static IOException forCaller(IOException first) {
        IOException copy;
        if (first instanceof SessionClosedException closed) {
            return new SessionClosedException(closed.getMessage(), closed.getCause());
        } else if (first instanceof YamuxProtocolException protocol) {
            copy = new YamuxProtocolException(protocol.goAwayCode(), protocol.reason(), protocol.isRemote());
        } else if (first instanceof RemoteGoAwayException goAway) {
            copy = new RemoteGoAwayException(goAway.code());
        } else if (first instanceof KeepAliveTimeoutException) {
            copy = new KeepAliveTimeoutException(first.getMessage());
        } else if (first instanceof WriteTimeoutException) {
            copy = new WriteTimeoutException(first.getMessage());
        } else if (first instanceof LimitExceededException) {
            copy = new LimitExceededException(first.getMessage());
        } else {
            return new SessionClosedException("session failed: " + first.getMessage(), first);
        }
        copy.initCause(first);
        return copy;
    }
}

package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.TemporaryAcceptException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * An accept loop's answer to a temporary accept error ({@link TemporaryAcceptException}: out of
 * file descriptors, kernel memory, ...): Go's {@code net/http} policy. Log the error (rate-limited
 * by {@link PeerWarnings}, since a peer can cause it by opening connections), wait, and accept
 * again: the first wait is {@value #FIRST_MILLIS} ms, each further one twice the last, at most
 * {@value #MAX_MILLIS} ms; a successful accept resets it. Any other error (the listener closed)
 * ends the loop as before. One instance per accept loop; used by that loop's thread only.
 */
final class AcceptBackoff {
    static final long FIRST_MILLIS = 5;
    static final long MAX_MILLIS = 1_000;

    /** Waits; a fake in tests. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final PeerWarnings warnings;
    private final Sleeper sleeper;
    private final LongAdder errors;
    private long delayMillis; // 0 after a success

    /** The policy with real waits, logging to {@code log}. */
    AcceptBackoff(System.Logger log) {
        this(log, new LongAdder());
    }

    /** As {@link #AcceptBackoff(System.Logger)}, counting each temporary error in {@code errors} (for metrics). */
    AcceptBackoff(System.Logger log, LongAdder errors) {
        this(new PeerWarnings(log), duration -> Thread.sleep(duration), errors);
    }

    AcceptBackoff(PeerWarnings warnings, Sleeper sleeper) {
        this(warnings, sleeper, new LongAdder());
    }

    private AcceptBackoff(PeerWarnings warnings, Sleeper sleeper, LongAdder errors) {
        this.warnings = warnings;
        this.sleeper = sleeper;
        this.errors = errors;
        // Loaded now: this class is needed exactly when no descriptor is left to read it with.
        TemporaryAcceptException.class.getName();
    }

    /**
     * Accepts the next connection, riding out temporary errors as the class comment says.
     *
     * @throws IOException any other accept error, e.g. the listener was closed
     * @throws InterruptedIOException when interrupted while waiting to retry (flag kept)
     */
    Conn accept(Listener listener) throws IOException {
        while (true) {
            try {
                Conn conn = listener.accept();
                delayMillis = 0;
                return conn;
            } catch (TemporaryAcceptException e) {
                backOff(e);
            }
        }
    }

    /** Logs {@code failure} and waits the next delay. */
    void backOff(TemporaryAcceptException failure) throws InterruptedIOException {
        errors.increment();
        delayMillis = delayMillis == 0 ? FIRST_MILLIS : Math.min(MAX_MILLIS, delayMillis * 2);
        warnings.warn(failure.getMessage() + "; retrying in " + delayMillis + "ms");
        try {
            sleeper.sleep(Duration.ofMillis(delayMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException stopped = new InterruptedIOException(failure.getMessage() + "; interrupted while waiting to retry");
            stopped.initCause(failure);
            throw stopped;
        }
    }

    /** The last wait, 0 after a success; for tests. */
    Duration currentDelay() {
        return Duration.ofMillis(delayMillis);
    }
}

package io.weft.netpoll.spi;

/**
 * The outcome of preparing for, or waiting on, one direction of a {@link PollDescriptor}.
 *
 * <p>Expected outcomes of a wait are values, not exceptions: the caller (a {@link PollConn} or
 * {@link PollListener}) turns them into the typed exception that names its operation and address.
 */
public enum PollStatus {
    /** Go ahead: readiness was signalled (or, from {@code prepare*}, nothing stops an attempt). */
    READY,
    /** The direction's deadline has passed; Go's {@code pollErrTimeout}. */
    TIMED_OUT,
    /** The descriptor is closing; Go's {@code pollErrClosing}. */
    CLOSED,
    /** The waiting thread's interrupt flag is set; the flag is left set. */
    INTERRUPTED,
    /**
     * The poller that delivers this descriptor's events has died ({@link PollDescriptor#fail});
     * {@link PollDescriptor#failure()} says why. Final, like {@link #CLOSED}.
     */
    FAILED
}

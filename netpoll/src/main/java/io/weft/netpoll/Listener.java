package io.weft.netpoll;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Instant;

/**
 * A listening socket with Go's {@code net.Listener} semantics.
 *
 * <p>{@link #accept()} blocks the calling thread until a connection arrives, the deadline passes
 * ({@link DeadlineExceededException}) or the listener is closed. {@link #close()} wakes every
 * blocked acceptor at once and is idempotent. All methods may be called from any thread.
 */
public interface Listener extends Closeable {

    /** Waits for and returns the next connection. */
    Conn accept() throws IOException;

    /** The address this listener is bound to (with the actual port when 0 was asked for). */
    SocketAddress address();

    /** Sets the deadline for pending and future accepts; {@code null} clears it. */
    void setDeadline(Instant deadline) throws IOException;
}

package io.weft.netpoll;

/**
 * Two connected ends of one {@link Conn} implementation, as a contract test gets them from its
 * subclass. {@code cleanup} releases whatever else the pair needed (a listener, a session) and
 * runs after both ends are closed.
 *
 * @param first one end
 * @param second the other end
 * @param cleanup closes anything else the pair holds; may be {@code () -> {}}
 */
public record ConnPair(Conn first, Conn second, AutoCloseable cleanup) {

    /** A pair with nothing to clean up besides the two ends. */
    public ConnPair(Conn first, Conn second) {
        this(first, second, () -> {});
    }
}

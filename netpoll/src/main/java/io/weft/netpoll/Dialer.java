package io.weft.netpoll;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Go's {@code net.Dialer}: how to connect, as an immutable value; {@link Net#dial} uses the
 * defaults.
 *
 * <ul>
 *   <li><b>Timeout</b> ({@link #withTimeout}; default none): the whole dial, name resolution
 *       excepted. With several addresses the time left is split among the addresses still to
 *       try, each getting at least 2 s (or all that is left), as Go's {@code partialDeadline}:
 *       an unreachable first address cannot eat the whole timeout.</li>
 *   <li><b>Happy Eyeballs</b> (RFC 8305, Go's {@code dialParallel}): when a name resolves to both
 *       IPv6 and IPv4 addresses, the IPv6 ones (the primaries) are tried one after another
 *       first, and the IPv4 ones (the fallbacks) start in parallel after the {@linkplain
 *       #withFallbackDelay fallback delay} (default {@value #DEFAULT_FALLBACK_DELAY_MILLIS} ms),
 *       or at once when the primaries have all failed. The first connection wins; the other
 *       attempt is cancelled and a connection it made anyway is closed. When both fail, the
 *       primaries' first error is thrown, the fallbacks' attached as suppressed.</li>
 *   <li><b>TCP keep-alive</b> ({@link #withKeepAlive}; default {@value #DEFAULT_KEEP_ALIVE_SECONDS}
 *       s, as Go): set on every TCP connection dialed, idle time and probe interval both.</li>
 * </ul>
 * The extra race thread is a virtual thread that lives as long as its attempt. Thread-safe.
 */
public final class Dialer {
    /** Go's default keep-alive idle time and probe interval, in seconds. */
    public static final int DEFAULT_KEEP_ALIVE_SECONDS = 15;
    /** Go's (and RFC 8305's recommended) delay before the fallback addresses race, in milliseconds. */
    public static final int DEFAULT_FALLBACK_DELAY_MILLIS = 300;

    /** Resolves {@code network} and {@code address} to the addresses to try, in order; tests inject one. */
    @FunctionalInterface
    interface Resolver {
        List<SocketAddress> resolve(String network, String address) throws IOException;
    }

    private final Poller poller; // null: Poller.system() when dialing
    private final Duration timeout; // null: none
    private final Duration fallbackDelay; // negative: no parallel fallback
    private final Duration keepAlive; // null: off
    private final Resolver resolver;

    /** A dialer with the defaults: the system poller, no timeout, 300 ms fallback delay, 15 s keep-alive. */
    public Dialer() {
        this(null, null, Duration.ofMillis(DEFAULT_FALLBACK_DELAY_MILLIS), Duration.ofSeconds(DEFAULT_KEEP_ALIVE_SECONDS),
                AddressParser::dialAddresses);
    }

    private Dialer(Poller poller, Duration timeout, Duration fallbackDelay, Duration keepAlive, Resolver resolver) {
        this.poller = poller;
        this.timeout = timeout;
        this.fallbackDelay = fallbackDelay;
        this.keepAlive = keepAlive;
        this.resolver = resolver;
    }

    /** This dialer on {@code poller} instead of {@link Poller#system()}. */
    public Dialer withPoller(Poller poller) {
        return new Dialer(Objects.requireNonNull(poller, "poller"), timeout, fallbackDelay, keepAlive, resolver);
    }

    /**
     * This dialer giving up after {@code timeout} with {@link DeadlineExceededException} (or the
     * first address's error when an address failed otherwise); {@code null} or zero for no
     * timeout, as in Go.
     *
     * @throws IllegalArgumentException if negative
     */
    public Dialer withTimeout(Duration timeout) {
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        return new Dialer(poller, timeout == null || timeout.isZero() ? null : timeout, fallbackDelay, keepAlive, resolver);
    }

    /**
     * This dialer starting the fallback addresses {@code delay} after the primaries: zero starts
     * both at once, a negative delay turns the parallel fallback off (every address one after
     * another, Go's {@code dialSerial}).
     */
    public Dialer withFallbackDelay(Duration delay) {
        return new Dialer(poller, timeout, Objects.requireNonNull(delay, "delay"), keepAlive, resolver);
    }

    /**
     * This dialer with TCP keep-alive every {@code period} (idle time before the first probe and
     * interval between probes, rounded up to whole seconds); zero or negative turns keep-alive
     * off. Where the platform cannot set the period, keep-alive is on with the system's period.
     */
    public Dialer withKeepAlive(Duration period) {
        Objects.requireNonNull(period, "period");
        return new Dialer(poller, timeout, fallbackDelay, period.isNegative() || period.isZero() ? null : period, resolver);
    }

    /** This dialer resolving with {@code resolver}; for tests. */
    Dialer withResolver(Resolver resolver) {
        return new Dialer(poller, timeout, fallbackDelay, keepAlive, Objects.requireNonNull(resolver, "resolver"));
    }

    /**
     * Connects, as described in the class comment.
     *
     * @param network "tcp", "tcp4", "tcp6" or "unix"
     * @param address e.g. {@code "example.com:80"}, {@code "[::1]:9000"}, {@code "/tmp/app.sock"}
     * @throws java.net.ConnectException when the peer refuses
     * @throws java.net.UnknownHostException when the host cannot be resolved
     * @throws DeadlineExceededException when the timeout passes first
     * @throws java.io.InterruptedIOException when the thread is interrupted (flag kept)
     */
    public Conn dial(String network, String address) throws IOException {
        String checkedNetwork = AddressParser.network(network);
        long deadlineNanos = timeout == null
                ? io.weft.netpoll.spi.PollDescriptor.NO_DEADLINE
                : io.weft.netpoll.spi.PollDescriptor.deadlineNanosAfter(timeout);
        List<SocketAddress> addresses = resolver.resolve(checkedNetwork, address);
        if (addresses.isEmpty()) {
            throw new java.net.UnknownHostException("dial " + checkedNetwork + " " + address + ": no addresses");
        }
        Poller chosen = poller != null ? poller : Poller.system();
        Conn conn = new DialRace(chosen.transport(), checkedNetwork, deadlineNanos, fallbackDelay)
                .dial(addresses);
        if (keepAlive != null && conn instanceof TcpConn tcp) {
            KeepAliveListener.enable(tcp, keepAlive);
        }
        return conn;
    }

    @Override
    public String toString() {
        return "Dialer[poller=" + (poller == null ? "system" : poller.name()) + ", timeout=" + timeout
                + ", fallbackDelay=" + fallbackDelay + ", keepAlive=" + keepAlive + "]";
    }
}

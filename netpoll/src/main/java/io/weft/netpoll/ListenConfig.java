package io.weft.netpoll;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * Go's {@code net.ListenConfig}: how to listen, as an immutable value; {@link Net#listen} uses
 * the defaults. The one option is TCP keep-alive ({@link #withKeepAlive}; default {@value
 * Dialer#DEFAULT_KEEP_ALIVE_SECONDS} s, as Go), set on every accepted TCP connection, so a
 * connection whose peer vanished is noticed. Thread-safe.
 */
public final class ListenConfig {
    private final Poller poller; // null: Poller.system() when listening
    private final Duration keepAlive; // null: off

    /** The defaults: the system poller, 15 s keep-alive on accepted TCP connections. */
    public ListenConfig() {
        this(null, Duration.ofSeconds(Dialer.DEFAULT_KEEP_ALIVE_SECONDS));
    }

    private ListenConfig(Poller poller, Duration keepAlive) {
        this.poller = poller;
        this.keepAlive = keepAlive;
    }

    /** This configuration on {@code poller} instead of {@link Poller#system()}. */
    public ListenConfig withPoller(Poller poller) {
        return new ListenConfig(Objects.requireNonNull(poller, "poller"), keepAlive);
    }

    /**
     * This configuration with TCP keep-alive every {@code period} on accepted connections (idle
     * time and probe interval, rounded up to whole seconds); zero or negative turns it off. A
     * connection whose option cannot be set is returned anyway, as in Go.
     */
    public ListenConfig withKeepAlive(Duration period) {
        Objects.requireNonNull(period, "period");
        return new ListenConfig(poller, period.isNegative() || period.isZero() ? null : period);
    }

    /**
     * Opens a listening socket; see {@link Net#listen(String, String)}.
     *
     * @throws java.net.BindException when the address is in use or not local
     */
    public Listener listen(String network, String address) throws IOException {
        Poller chosen = poller != null ? poller : Poller.system();
        String checkedNetwork = AddressParser.network(network);
        Listener listener = chosen.transport().listen(checkedNetwork, AddressParser.listenAddress(checkedNetwork, address));
        return keepAlive == null || checkedNetwork.equals("unix") ? listener : new KeepAliveListener(listener, keepAlive);
    }

    @Override
    public String toString() {
        return "ListenConfig[poller=" + (poller == null ? "system" : poller.name()) + ", keepAlive=" + keepAlive + "]";
    }
}

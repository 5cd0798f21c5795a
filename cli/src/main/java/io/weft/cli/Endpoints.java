package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.FileAlreadyExistsException;
import java.time.Duration;

/**
 * Listening and dialing for the commands, with their errors turned into the command's: a
 * listener that cannot bind (port in use, permission, a host that does not resolve) is a usage error, exit 2, in one
 * line. A unix socket file left by a process that was killed is removed and bound again when
 * nothing answers on it ({@link StaleSocket}). Stateless; any thread.
 */
final class Endpoints {

    private static final System.Logger LOG = System.getLogger("io.weft.cli.listen");

    /** How long a dial may take before it counts as failed. */
    static final Duration DIAL_TIMEOUT = Duration.ofSeconds(10);

    private Endpoints() {}

    /**
     * Listens on {@code address}.
     *
     * @throws Failures.UsageException when the address cannot be bound
     */
    static Listener listen(Address address) throws IOException {
        try {
            return Net.listen(address.network(), address.address());
        } catch (BindException | FileAlreadyExistsException e) {
            if (address.isUnix()) {
                switch (StaleSocket.check(java.nio.file.Path.of(address.address()))) {
                    case REMOVED -> {
                        LOG.log(System.Logger.Level.INFO, "removed the stale socket file " + address.address()
                                + " (nothing answered on it)");
                        return listen(address); // a socket bound there meanwhile is a plain "in use"
                    }
                    case LIVE -> throw new Failures.UsageException("cannot listen on " + address
                            + ": another process is listening there", null);
                    case UNKNOWN -> { }
                }
            }
            throw new Failures.UsageException("cannot listen on " + address + ": "
                    + (e.getMessage() == null ? "address already in use" : e.getMessage()), e);
        } catch (SocketException | UnknownHostException | IllegalArgumentException e) {
            // A host that does not resolve is a bad address to listen on, like a bad port: usage.
            throw new Failures.UsageException("cannot listen on " + address + ": " + Failures.describe(e), e);
        }
    }

    /** Dials {@code address} (an empty host means this machine), failing after {@link #DIAL_TIMEOUT}. */
    static Conn dial(Address address) throws IOException {
        Address target = address.forDial();
        return Net.dial(target.network(), target.address(), DIAL_TIMEOUT);
    }
}

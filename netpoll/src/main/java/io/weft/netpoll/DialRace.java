package io.weft.netpoll;

import io.weft.netpoll.spi.Addresses;
import io.weft.netpoll.spi.PollDescriptor;
import io.weft.netpoll.spi.Transport;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One dial over several addresses: Go's {@code dialParallel} (RFC 8305 Happy Eyeballs) over two
 * {@code dialSerial}s, with {@code partialDeadline} splitting the time left. See {@link Dialer}
 * for the behaviour. One instance per dial; the calling thread runs the primaries when there are
 * no fallbacks, else it coordinates and each side runs on a virtual thread of its own.
 */
final class DialRace {
    /** Go's {@code saneMinimum}: no address gets less than this of the time left (unless less is left). */
    static final long MIN_ADDRESS_NANOS = Duration.ofSeconds(2).toNanos();

    private final Transport transport;
    private final String network;
    private final long deadlineNanos;
    private final Duration fallbackDelay;

    /** What one side of the race ended with: a connection or its first error. */
    private record Result(boolean primary, Conn conn, IOException error) {}

    DialRace(Transport transport, String network, long deadlineNanos, Duration fallbackDelay) {
        this.transport = transport;
        this.network = network;
        this.deadlineNanos = deadlineNanos;
        this.fallbackDelay = fallbackDelay;
    }

    /** Dials {@code addresses} (resolver order), racing the fallback family when there is one. */
    Conn dial(List<SocketAddress> addresses) throws IOException {
        List<SocketAddress> primaries = new ArrayList<>();
        List<SocketAddress> fallbacks = new ArrayList<>();
        partition(addresses, primaries, fallbacks);
        if (fallbacks.isEmpty() || fallbackDelay.isNegative()) {
            primaries.addAll(fallbacks);
            return dialSerial(primaries);
        }
        return dialParallel(primaries, fallbacks);
    }

    /** Primaries: the IPv6 addresses when there are both families, else all; order kept. */
    static void partition(List<SocketAddress> addresses, List<SocketAddress> primaries, List<SocketAddress> fallbacks) {
        boolean anyV6 = addresses.stream().anyMatch(DialRace::isV6);
        boolean anyOther = addresses.stream().anyMatch(a -> !isV6(a));
        for (SocketAddress address : addresses) {
            (anyV6 && anyOther && !isV6(address) ? fallbacks : primaries).add(address);
        }
    }

    private static boolean isV6(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() instanceof Inet6Address;
    }

    /**
     * Go's {@code partialDeadline}: the deadline for the next of {@code remaining} addresses, the
     * time left split evenly but at least {@link #MIN_ADDRESS_NANOS} (or all that is left).
     */
    static long partialDeadline(long nowNanos, long deadlineNanos, int remaining) throws DeadlineExceededException {
        if (deadlineNanos == PollDescriptor.NO_DEADLINE) {
            return PollDescriptor.NO_DEADLINE;
        }
        long left = deadlineNanos == PollDescriptor.EXPIRED ? 0 : deadlineNanos - nowNanos;
        if (left <= 0) {
            throw new DeadlineExceededException("i/o timeout");
        }
        long share = left / remaining;
        if (share < MIN_ADDRESS_NANOS) {
            share = Math.min(left, MIN_ADDRESS_NANOS);
        }
        return nowNanos + share;
    }

    /** Go's {@code dialSerial}: each address in turn until one connects; the first error if none does. */
    private Conn dialSerial(List<SocketAddress> addresses) throws IOException {
        IOException first = null;
        for (int i = 0; i < addresses.size(); i++) {
            SocketAddress address = addresses.get(i);
            long partial;
            try {
                partial = partialDeadline(PollDescriptor.nanoTime(), deadlineNanos, addresses.size() - i);
            } catch (DeadlineExceededException e) {
                IOException timeout = new DeadlineExceededException("dial " + network + " " + Addresses.format(address)
                        + ": i/o timeout");
                if (first == null) {
                    first = timeout;
                }
                break;
            }
            try {
                return transport.dial(network, address, partial);
            } catch (DeadlineExceededException e) {
                first = record(first, e); // this address's share ran out: try the next
            } catch (InterruptedIOException e) {
                if (first != null) {
                    e.addSuppressed(first);
                }
                throw e;
            } catch (IOException e) {
                first = record(first, e);
            }
        }
        throw first;
    }

    private static IOException record(IOException first, IOException e) {
        if (first == null) {
            return e; // Go reports the first address's error
        }
        first.addSuppressed(e);
        return first;
    }

    /** Go's {@code dialParallel}: primaries now, fallbacks after the delay or when the primaries fail. */
    private Conn dialParallel(List<SocketAddress> primaries, List<SocketAddress> fallbacks) throws IOException {
        BlockingQueue<Result> results = new LinkedBlockingQueue<>();
        AtomicBoolean returned = new AtomicBoolean();
        Thread primary = race(true, primaries, results, returned);
        Thread fallback = null;
        long fallbackAt = System.nanoTime() + fallbackDelay.toNanos();
        Result primaryResult = null;
        Result fallbackResult = null;
        try {
            while (true) {
                Result result;
                if (fallback == null) {
                    result = results.poll(fallbackAt - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (result == null) {
                        fallback = race(false, fallbacks, results, returned);
                        continue;
                    }
                } else {
                    result = results.take();
                }
                if (result.conn() != null) {
                    return result.conn();
                }
                if (result.primary()) {
                    primaryResult = result;
                } else {
                    fallbackResult = result;
                }
                if (primaryResult != null && fallbackResult != null) {
                    primaryResult.error().addSuppressed(fallbackResult.error());
                    throw primaryResult.error();
                }
                if (result.primary() && fallback == null) {
                    fallback = race(false, fallbacks, results, returned); // the primaries failed early
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("dial " + network + " " + Addresses.format(primaries.get(0)) + ": interrupted");
        } finally {
            returned.set(true);
            primary.interrupt(); // a loser still dialing stops; its socket is closed by its dial
            if (fallback != null) {
                fallback.interrupt();
            }
            for (Result late; (late = results.poll()) != null; ) {
                closeQuietly(late.conn());
            }
        }
    }

    /** Starts one side of the race on a virtual thread; its result goes to {@code results}. */
    private Thread race(boolean primary, List<SocketAddress> addresses, BlockingQueue<Result> results,
            AtomicBoolean returned) {
        return Thread.ofVirtual().name("weft-dial-" + (primary ? "primary" : "fallback")).start(() -> {
            Result result;
            try {
                result = new Result(primary, dialSerial(addresses), null);
            } catch (IOException e) {
                result = new Result(primary, null, e);
            } catch (RuntimeException | Error e) {
                result = new Result(primary, null, new IOException("dial " + network + ": " + e, e));
            }
            results.add(result);
            // The dial returned a winner meanwhile: whichever of it and us removes the result closes it.
            if (returned.get() && results.remove(result)) {
                closeQuietly(result.conn());
            }
        });
    }

    private static void closeQuietly(Conn conn) {
        if (conn != null) {
            try {
                conn.close();
            } catch (IOException ignored) {
                // closing a connection nobody will use; nothing to report
            }
        }
    }
}

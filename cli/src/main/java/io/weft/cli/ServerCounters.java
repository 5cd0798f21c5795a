package io.weft.cli;

import io.weft.netpoll.tls.TlsHandshakeException;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a long-running command (echo, tunnel) counts outside any yamux session: temporary accept
 * errors, refused connections and failed handshakes. Read by {@code --metrics}
 * ({@link MetricsCollector}). One instance per command, held by its {@link SessionSet};
 * thread-safe ({@link LongAdder}s, nothing else).
 */
final class ServerCounters {
    /** Temporary accept errors (out of descriptors, ...) on the yamux listener ({@code --listen}, {@code echo}). */
    final LongAdder yamuxAcceptErrors = new LongAdder();
    /** Temporary accept errors on the tunnel entry ({@code --from}). */
    final LongAdder entryAcceptErrors = new LongAdder();
    /** Connections closed unanswered because {@link Admission#MAX_PENDING} handshakes were running. */
    final LongAdder refusedConnections = new LongAdder();
    /** Handshakes that failed authentication: token wrong or missing, client certificate rejected. */
    final LongAdder authFailures = new LongAdder();
    /** Every other failed handshake: not TLS, TLS errors, timeouts, the peer hanging up. */
    final LongAdder handshakeFailures = new LongAdder();

    /** Counts a failed server handshake as an authentication failure or another one. */
    void handshakeFailed(Throwable failure) {
        (isAuthFailure(failure) ? authFailures : handshakeFailures).increment();
    }

    /** Whether {@code failure} means the client did not prove who it is (as opposed to a broken handshake). */
    static boolean isAuthFailure(Throwable failure) {
        if (failure instanceof AuthenticationFailedException) {
            return true;
        }
        return failure instanceof TlsHandshakeException tls && switch (tls.reason()) {
            case UNKNOWN_AUTHORITY, CERTIFICATE_EXPIRED, CLIENT_CERTIFICATE_REQUIRED -> true;
            default -> false;
        };
    }
}

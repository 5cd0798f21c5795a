package io.weft.netpoll;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;

/**
 * A TCP listener whose accepted connections get TCP keep-alive, like Go's {@code
 * TCPListener.accept}; everything else is the backend listener's. Thread-safe as that one.
 */
final class KeepAliveListener implements Listener {
    private final Listener listener;
    private final Duration period;

    KeepAliveListener(Listener listener, Duration period) {
        this.listener = listener;
        this.period = period;
    }

    /**
     * Turns keep-alive on with {@code period}, ignoring failure as Go does (the peer may already
     * have reset the connection, which its first read will report); where the platform cannot
     * set the period, keep-alive is on with the system's.
     */
    static void enable(TcpConn conn, Duration period) {
        try {
            conn.setKeepAlivePeriod(period);
        } catch (UnsupportedOperationException e) {
            try {
                conn.setKeepAlive(true);
            } catch (IOException ignored) {
                // as below
            }
        } catch (IOException ignored) {
            // a reset or closed connection: its next call reports that
        }
    }

    @Override
    public Conn accept() throws IOException {
        Conn conn = listener.accept();
        if (conn instanceof TcpConn tcp) {
            enable(tcp, period);
        }
        return conn;
    }

    @Override
    public SocketAddress address() {
        return listener.address();
    }

    @Override
    public void setDeadline(Instant deadline) throws IOException {
        listener.setDeadline(deadline);
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }

    @Override
    public String toString() {
        return listener.toString();
    }
}

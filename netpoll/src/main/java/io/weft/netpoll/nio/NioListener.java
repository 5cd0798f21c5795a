package io.weft.netpoll.nio;

import io.weft.netpoll.Conn;
import io.weft.netpoll.TemporaryAcceptException;
import io.weft.netpoll.spi.PollDescriptor;
import io.weft.netpoll.spi.PollListener;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;

/**
 * A listener on a non-blocking {@link ServerSocketChannel}; a unix listener removes its socket
 * file when closed, as Go's does. Threads: see {@link PollListener}.
 */
final class NioListener extends PollListener {
    /** strerror texts (glibc, macOS) of the accept errors that pass; lower case. */
    private static final List<String> TEMPORARY = List.of("too many open files", "no buffer space available",
            "cannot allocate memory", "not enough memory", "connection abort", "protocol error", "network is down",
            "operation not permitted", "connection reset", "host is down", "no route to host", "network is unreachable",
            "connection timed out");
    private final NioTransport transport;
    private final ServerSocketChannel channel;
    private final NioPoller poller;
    private final SelectionKey key;
    private final SocketAddress address;

    NioListener(NioTransport transport, String network, ServerSocketChannel channel, NioPoller poller,
            SelectionKey key, PollDescriptor poll) throws IOException {
        super(network, poll);
        this.transport = transport;
        this.channel = channel;
        this.poller = poller;
        this.key = key;
        this.address = channel.getLocalAddress();
    }

    @Override
    protected Conn tryAccept() throws IOException {
        SocketChannel accepted;
        try {
            accepted = channel.accept();
        } catch (ClosedChannelException e) {
            throw closedException("accept");
        } catch (IOException e) {
            String reason = String.valueOf(e.getMessage());
            SocketException wrapped = isTemporary(reason)
                    ? new TemporaryAcceptException(describe(), reason)
                    : new SocketException("accept " + describe() + ": " + reason);
            wrapped.initCause(e);
            throw wrapped;
        }
        return accepted == null ? null : transport.adopt(network(), accepted);
    }

    /**
     * Whether an accept failure with this message (the JDK's text is the C library's strerror)
     * leaves the listener usable: out of descriptors or kernel memory, or an error of the pending
     * connection, not the listener's. See {@link TemporaryAcceptException}.
     */
    static boolean isTemporary(String message) {
        String text = message.toLowerCase(Locale.ROOT);
        for (String temporary : TEMPORARY) {
            if (text.contains(temporary)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected void armAccept() {
        poller.arm(key, SelectionKey.OP_ACCEPT);
    }

    @Override
    protected void closeHandle() throws IOException {
        try {
            poller.close(key, channel);
        } finally {
            if (address instanceof UnixDomainSocketAddress unix && !unix.getPath().toString().isEmpty()) {
                Files.deleteIfExists(unix.getPath());
            }
        }
    }

    @Override
    public SocketAddress address() {
        return address;
    }
}

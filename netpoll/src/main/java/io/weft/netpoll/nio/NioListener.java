package io.weft.netpoll.nio;

import io.weft.netpoll.Conn;
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

/**
 * A listener on a non-blocking {@link ServerSocketChannel}; a unix listener removes its socket
 * file when closed, as Go's does. Threads: see {@link PollListener}.
 */
final class NioListener extends PollListener {
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
            SocketException wrapped = new SocketException("accept " + describe() + ": " + e.getMessage());
            wrapped.initCause(e);
            throw wrapped;
        }
        return accepted == null ? null : transport.adopt(network(), accepted);
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

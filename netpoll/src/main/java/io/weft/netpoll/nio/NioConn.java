package io.weft.netpoll.nio;

import io.weft.netpoll.ConnectionResetException;
import io.weft.netpoll.NetClosedException;
import io.weft.netpoll.spi.PollConn;
import io.weft.netpoll.spi.PollDescriptor;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Locale;

/**
 * A connection on a non-blocking {@link SocketChannel} (TCP or unix domain) whose readiness
 * comes from a {@link NioPoller}. Threads: see {@link PollConn}.
 */
class NioConn extends PollConn {
    /** The channel; non-blocking, registered with {@link #poller} under {@link #key}. */
    final SocketChannel channel;
    private final NioPoller poller;
    private final SelectionKey key;
    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;

    NioConn(String network, SocketChannel channel, NioPoller poller, SelectionKey key, PollDescriptor poll)
            throws IOException {
        super(network, poll);
        this.channel = channel;
        this.poller = poller;
        this.key = key;
        this.localAddress = channel.getLocalAddress();
        this.remoteAddress = channel.getRemoteAddress();
    }

    @Override
    protected int tryRead(ByteBuffer dst) throws IOException {
        try {
            return channel.read(dst);
        } catch (IOException e) {
            throw translate("read", e);
        }
    }

    @Override
    protected long tryRead(ByteBuffer[] dsts, int offset, int length) throws IOException {
        try {
            return channel.read(dsts, offset, length);
        } catch (IOException e) {
            throw translate("read", e);
        }
    }

    @Override
    protected int tryWrite(ByteBuffer src) throws IOException {
        try {
            return channel.write(src);
        } catch (IOException e) {
            throw translate("write", e);
        }
    }

    @Override
    protected long tryWrite(ByteBuffer[] srcs, int offset, int length) throws IOException {
        try {
            return channel.write(srcs, offset, length);
        } catch (IOException e) {
            throw translate("write", e);
        }
    }

    @Override
    protected void armRead() {
        poller.arm(key, SelectionKey.OP_READ);
    }

    @Override
    protected void armWrite() {
        poller.arm(key, SelectionKey.OP_WRITE);
    }

    @Override
    protected void shutdownInput() throws IOException {
        try {
            channel.shutdownInput();
        } catch (IOException e) {
            throw translate("closeread", e);
        }
    }

    @Override
    protected void shutdownOutput() throws IOException {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            throw translate("closewrite", e);
        }
    }

    @Override
    protected void closeHandle() throws IOException {
        poller.close(key, channel);
    }

    /** The released reader or writer does not wait for the poller to close the channel. */
    @Override
    protected void closeHandleAsync() {
        poller.closeLater(key, channel);
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** Gives a JDK channel error Go's wording and Weft's type, naming the operation and addresses. */
    IOException translate(String op, IOException e) {
        if (e instanceof ClosedChannelException) {
            return isWriteShutdown() && op.equals("write")
                    ? new NetClosedException(op, describe(), "write side closed by closeWrite")
                    : closedException(op);
        }
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("reset")) {
            return new ConnectionResetException(op + " " + describe() + ": connection reset by peer", e);
        }
        if (message.contains("broken pipe")) {
            return new ConnectionResetException(op + " " + describe() + ": broken pipe", e);
        }
        SocketException wrapped = new SocketException(op + " " + describe() + ": " + e.getMessage());
        wrapped.initCause(e);
        return wrapped;
    }
}

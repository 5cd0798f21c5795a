package io.weft.netpoll.epoll;

import io.weft.netpoll.ConnectionResetException;
import io.weft.netpoll.spi.KernelWaiter;
import io.weft.netpoll.spi.PollConn;
import io.weft.netpoll.spi.PollDescriptor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A connection on a raw non-blocking socket registered once with an {@link EpollPoller}: the
 * backend primitives of {@link PollConn} as direct system calls. Unix-domain connections are this
 * class; TCP connections are {@link EpollTcpConn}.
 *
 * <h2>Buffers</h2>
 * A single buffer, heap or direct, is passed to {@code read}/{@code send} as is: the calls are
 * linked critical with heap access, so a heap buffer's array is read or written in place, with
 * no copy through a native buffer (what {@code SocketChannel} does with a temporary direct
 * buffer). Vectored calls use {@code readv}/{@code writev} when every buffer is direct (the
 * iovec array itself is a heap {@code long[]}); a scatter with heap buffers reads into the first
 * buffer with space. A gather with heap buffers is still one {@code writev}: the heap parts are
 * copied into a native area borrowed from the process-wide {@link StagingPool} (at most {@value
 * StagingPool#AREA_BYTES} bytes of them per call) and the direct parts are referenced in place,
 * so a yamux header and its body leave in one system call and one TCP segment train instead of a
 * lone 12-byte send. A connection owns no staging memory; what a call does not carry (past the
 * area, or past {@code IOV_MAX} buffers) the caller's write loop sends next.
 *
 * <h2>Threads</h2>
 * See {@link PollConn}: reads are serialized by its read lock, writes by its write lock;
 * {@link #closeHandle} runs once on whichever thread ends the last call after close. The fd is
 * closed only then, so a syscall never runs on a reused fd number.
 */
class EpollConn extends PollConn {
    /** Linux's {@code IOV_MAX}: the most buffers one {@code readv}/{@code writev} takes. */
    static final int IOV_MAX = 1024;

    /** The socket; valid until {@link #closeHandle}. */
    final int fd;
    /** The poller the socket is registered with, under {@link #tag}. */
    final EpollPoller poller;
    /** The registration tag ({@code slot << 32 | sequence}); package-visible for tests. */
    final long tag;
    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;

    EpollConn(String network, PollDescriptor poll, int fd, EpollPoller poller, long tag,
            SocketAddress localAddress, SocketAddress remoteAddress) {
        super(network, poll);
        this.fd = fd;
        this.poller = poller;
        this.tag = tag;
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
    }

    @Override
    protected int tryRead(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        long n = LibC.read(fd, MemorySegment.ofBuffer(dst), dst.remaining());
        if (n > 0) {
            dst.position(dst.position() + (int) n);
            return (int) n;
        }
        return n == 0 ? -1 : readFailure(n);
    }

    @Override
    protected long tryRead(ByteBuffer[] dsts, int offset, int length) throws IOException {
        int end = offset + length;
        int count = 0;
        boolean allDirect = true;
        for (int i = offset; i < end; i++) {
            if (dsts[i].isReadOnly()) {
                throw new IllegalArgumentException("read-only buffer");
            }
            if (dsts[i].hasRemaining()) {
                count++;
                allDirect &= dsts[i].isDirect();
            }
        }
        if (!allDirect || count == 1 || count > IOV_MAX) {
            for (int i = offset; i < end; i++) {
                if (dsts[i].hasRemaining()) {
                    return tryRead(dsts[i]);
                }
            }
            return 0;
        }
        long[] iovecs = iovecs(dsts, offset, end, count);
        long n = LibC.readv(fd, MemorySegment.ofArray(iovecs), count);
        if (n > 0) {
            advance(dsts, offset, end, n);
            return n;
        }
        return n == 0 ? -1 : readFailure(n);
    }

    /** A platform thread waits for reads in {@code poll(2)} on the socket ({@link EpollKernelWaiter}). */
    @Override
    protected KernelWaiter kernelWaiter() {
        if (Thread.currentThread().isVirtual()) {
            return null;
        }
        EpollKernelWaiter waiter = EpollKernelWaiter.forCurrentThread();
        return waiter == null ? null : waiter.on(fd);
    }

    private int readFailure(long n) throws IOException {
        if (n == -Errno.EAGAIN) {
            return 0;
        }
        throw failure("read", (int) -n);
    }

    @Override
    protected int tryWrite(ByteBuffer src) throws IOException {
        long n = LibC.send(fd, MemorySegment.ofBuffer(src), src.remaining(), LibC.MSG_NOSIGNAL);
        if (n >= 0) {
            src.position(src.position() + (int) n);
            return (int) n;
        }
        return writeFailure(n);
    }

    @Override
    protected long tryWrite(ByteBuffer[] srcs, int offset, int length) throws IOException {
        int end = offset + length;
        int count = 0;
        int first = -1;
        boolean allDirect = true;
        for (int i = offset; i < end; i++) {
            if (srcs[i].hasRemaining()) {
                if (count++ == 0) {
                    first = i;
                }
                allDirect &= srcs[i].isDirect();
            }
        }
        if (count == 0) {
            return 0;
        }
        if (count == 1) { // heap or direct, written in place: no copy
            return tryWrite(srcs[first]);
        }
        int entries = Math.min(count, IOV_MAX);
        long n;
        if (allDirect) {
            n = LibC.writev(fd, MemorySegment.ofArray(iovecs(srcs, offset, end, entries)), entries);
        } else {
            MemorySegment staging = StagingPool.take();
            try {
                long[] iovecs = new long[entries * 2];
                int used = stage(srcs, first, end, staging, iovecs);
                n = LibC.writev(fd, MemorySegment.ofArray(iovecs), used);
            } finally {
                StagingPool.give(staging);
            }
        }
        if (n >= 0) {
            advance(srcs, offset, end, n);
            return n;
        }
        return writeFailure(n);
    }

    /**
     * Fills {@code iovecs} for a gather that includes heap buffers: direct buffers by address,
     * heap buffers copied into {@code staging} (adjacent copies share one entry). Stops when the
     * iovec array or the staging area is full, so a call may cover only a prefix of the buffers
     * (the last one possibly in part); positions are not moved.
     *
     * @return the iovec entries used
     */
    static int stage(ByteBuffer[] srcs, int first, int end, MemorySegment staging, long[] iovecs) {
        int maxEntries = iovecs.length / 2;
        long stagingBase = staging.address();
        long staged = 0;
        int j = 0;
        boolean lastStaged = false; // whether entry j - 1 points into staging
        for (int i = first; i < end && staged < staging.byteSize(); i++) {
            ByteBuffer src = srcs[i];
            int remaining = src.remaining();
            if (remaining == 0) {
                continue;
            }
            if (src.isDirect()) {
                if (j == maxEntries) {
                    break;
                }
                iovecs[2 * j] = MemorySegment.ofBuffer(src).address();
                iovecs[2 * j + 1] = remaining;
                j++;
                lastStaged = false;
                continue;
            }
            boolean extendsLast = lastStaged; // copies follow each other in staging
            if (!extendsLast && j == maxEntries) {
                break;
            }
            int copied = (int) Math.min(remaining, staging.byteSize() - staged);
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, staging, staged, copied);
            if (extendsLast) {
                iovecs[2 * j - 1] += copied;
            } else {
                iovecs[2 * j] = stagingBase + staged;
                iovecs[2 * j + 1] = copied;
                j++;
                lastStaged = true;
            }
            staged += copied;
        }
        return j;
    }

    private int writeFailure(long n) throws IOException {
        if (n == -Errno.EAGAIN) {
            return 0;
        }
        if (n == -Errno.EPIPE && isWriteShutdown()) {
            throw closedException("write");
        }
        throw failure("write", (int) -n);
    }

    /**
     * The iovec array (address, length pairs) for the first {@code count} buffers with bytes or
     * space remaining; all of them direct.
     */
    private static long[] iovecs(ByteBuffer[] buffers, int offset, int end, int count) {
        long[] iovecs = new long[count * 2];
        int j = 0;
        for (int i = offset; i < end && j < iovecs.length; i++) {
            ByteBuffer buffer = buffers[i];
            if (buffer.hasRemaining()) {
                iovecs[j++] = MemorySegment.ofBuffer(buffer).address();
                iovecs[j++] = buffer.remaining();
            }
        }
        return iovecs;
    }

    /** Moves the positions of the buffers forward over {@code byteCount} bytes, in order. */
    private static void advance(ByteBuffer[] buffers, int offset, int end, long byteCount) {
        long left = byteCount;
        for (int i = offset; i < end && left > 0; i++) {
            ByteBuffer buffer = buffers[i];
            int step = (int) Math.min(buffer.remaining(), left);
            buffer.position(buffer.position() + step);
            left -= step;
        }
    }

    @Override
    protected void shutdownInput() throws IOException {
        Sockets.shutdown(fd, LibC.SHUT_RD, describe());
    }

    @Override
    protected void shutdownOutput() throws IOException {
        Sockets.shutdown(fd, LibC.SHUT_WR, describe());
    }

    @Override
    protected void closeHandle() {
        poller.deregister(fd, tag);
        Sockets.closeQuietly(fd);
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** The typed error for {@code op} failing with {@code errno} on this connection. */
    final IOException failure(String op, int errno) {
        if (errno == Errno.ECONNRESET || errno == Errno.EPIPE) {
            return new ConnectionResetException(op + " " + describe() + ": " + Errno.describe(errno));
        }
        return Errno.exception(op, describe(), errno);
    }
}

package io.weft.netpoll.nio;

import io.weft.netpoll.spi.PollDescriptor;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A Selector and the platform daemon thread that runs it. Interest is one-shot, like the JDK's
 * own poller: a waiter that got "would block" ORs its op into the key's interest set and wakes
 * the selector ({@link #arm}); when the op fires, the poller thread removes it from the interest
 * set <em>before</em> notifying the key's {@link PollDescriptor}. So an arm that races with a
 * firing either survives the removal or is followed by the notification, and no wake-up is lost.
 *
 * <p>Threads: {@link #register}, {@link #arm} and {@link #close} are called by connection
 * threads (any thread but the poller's); the loop runs on the poller thread only and never runs
 * user code.
 */
final class NioPoller {
    private static final System.Logger LOG = System.getLogger(NioPoller.class.getName());

    private final Selector selector;
    private final Thread thread;
    private final Queue<PendingClose> pendingCloses = new ConcurrentLinkedQueue<>();

    NioPoller(String threadName) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a Selector for the nio poller", e);
        }
        thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::loop);
        thread.start();
    }

    /** Registers a channel (made non-blocking here) with no interest; readiness goes to {@code poll}. */
    SelectionKey register(SelectableChannel channel, PollDescriptor poll) throws IOException {
        channel.configureBlocking(false);
        return channel.register(selector, 0, poll);
    }

    /** Asks for one notification of {@code ops} (SelectionKey.OP_*) on {@code key}'s descriptor. */
    void arm(SelectionKey key, int ops) {
        try {
            if ((key.interestOpsOr(ops) & ops) == ops) {
                return; // already armed, and the selector was woken when it was
            }
        } catch (CancelledKeyException closed) {
            // Only closeHandle cancels, once nothing is in flight; tell the waiter to re-check.
            ((PollDescriptor) key.attachment()).notifyError();
            return;
        }
        selector.wakeup();
    }

    /**
     * Deregisters the channel and closes it, returning once the socket is really closed. The JDK
     * defers closing a registered channel until its selector has dropped the key, so the close
     * runs on the poller thread after a selection has done that; otherwise a closed listener would
     * keep its port (and reset connections queued on it) until the next selection, unlike Go.
     */
    void close(SelectionKey key, Closeable channel) throws IOException {
        key.cancel();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        pendingCloses.add(new PendingClose(key.channel(), channel, closed));
        selector.wakeup();
        try {
            closed.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /** Like {@link #close} but returns at once; the poller thread closes the channel. */
    void closeLater(SelectionKey key, Closeable channel) {
        key.cancel();
        pendingCloses.add(new PendingClose(key.channel(), channel, null));
        selector.wakeup();
    }

    /** A close waiting for its key to be deregistered; {@code closed} is null when nobody waits. */
    private record PendingClose(SelectableChannel registered, Closeable channel, CompletableFuture<Void> closed) {}

    private void loop() {
        List<PendingClose> notYetDeregistered = new ArrayList<>();
        while (selector.isOpen()) {
            try {
                if (notYetDeregistered.isEmpty()) {
                    selector.select(this::fired);
                } else {
                    selector.selectNow(this::fired); // completes the deregistration
                }
                PendingClose pending;
                List<PendingClose> retry = new ArrayList<>();
                for (PendingClose earlier : notYetDeregistered) {
                    closeOrRetry(earlier, retry);
                }
                while ((pending = pendingCloses.poll()) != null) {
                    closeOrRetry(pending, retry);
                }
                notYetDeregistered = retry;
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.ERROR, "nio poller " + thread.getName() + " select failed; retrying", e);
            }
        }
    }

    private static void closeOrRetry(PendingClose pending, List<PendingClose> retry) {
        if (pending.registered().isRegistered()) {
            retry.add(pending);
            return;
        }
        try {
            pending.channel().close();
            if (pending.closed() != null) {
                pending.closed().complete(null);
            }
        } catch (Throwable t) {
            if (pending.closed() != null) {
                pending.closed().completeExceptionally(t);
            } else {
                LOG.log(Level.DEBUG, "closing a channel after its last call failed", t);
            }
        }
    }

    private void fired(SelectionKey key) {
        PollDescriptor poll = (PollDescriptor) key.attachment();
        int ready;
        try {
            ready = key.readyOps();
            key.interestOpsAnd(~ready); // before notifying: see the class comment
        } catch (CancelledKeyException closed) {
            poll.notifyError();
            return;
        }
        if ((ready & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0) {
            poll.notifyReadable();
        }
        if ((ready & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
            poll.notifyWritable();
        }
    }
}

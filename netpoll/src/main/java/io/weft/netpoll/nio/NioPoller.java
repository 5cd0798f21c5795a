package io.weft.netpoll.nio;

import io.weft.netpoll.spi.PollDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * A Selector and the platform daemon thread that runs it. Interest is one-shot, like the JDK's
 * own poller: a waiter that got "would block" ORs its op into the key's interest set and wakes
 * the selector ({@link #arm}); when the op fires, the poller thread removes it from the interest
 * set <em>before</em> notifying the key's {@link PollDescriptor}. So an arm that races with a
 * firing either survives the removal or is followed by the notification, and no wake-up is lost.
 *
 * <p>Threads: {@link #register}, {@link #arm} and {@link #deregister} are called by connection
 * threads (any thread); the loop runs on the poller thread only and never runs user code.
 */
final class NioPoller {
    private static final System.Logger LOG = System.getLogger(NioPoller.class.getName());

    private final Selector selector;
    private final Thread thread;

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

    /** Cancels the key and wakes the selector so the channel's close completes promptly. */
    void deregister(SelectionKey key) {
        key.cancel();
        selector.wakeup();
    }

    private void loop() {
        while (selector.isOpen()) {
            try {
                selector.select(this::fired);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.ERROR, "nio poller " + thread.getName() + " select failed; retrying", e);
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

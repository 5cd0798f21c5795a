package io.weft.netpoll.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.spi.PollDescriptor;
import io.weft.netpoll.spi.PollStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A platform poller re-arms read interest itself once the reader has consumed the event it
 * latched (the poller's class comment), so the reader's next wait needs no interest update.
 */
@Timeout(10)
class NioPlatformPollerRearmTest {
    /** Longer than the test can take, so the poller waits for the consumer however slow this machine is. */
    private static final long AWAIT_CONSUMER_NANOS = Duration.ofSeconds(30).toNanos();

    @Test
    void readInterestComesBackOnceTheLatchedEventIsConsumed() throws Exception {
        NioPoller poller = new NioPoller("rearm-test-poller", false, AWAIT_CONSUMER_NANOS);
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                SocketChannel server = listener.accept()) {
            PollDescriptor poll = new PollDescriptor();
            SelectionKey key = poller.register(server, poll);
            poller.arm(key, SelectionKey.OP_READ);

            client.write(ByteBuffer.wrap(new byte[] {1}));
            await().atMost(Duration.ofSeconds(5)).until(poll::isReadLatched);
            // Nobody consumed it, so the next selection reports the socket again: disarmed, kept listed.
            await().atMost(Duration.ofSeconds(5)).until(() -> (key.interestOps() & SelectionKey.OP_READ) == 0);

            // The reader reads (first here, so no byte is left to report again) and takes the event.
            assertThat(server.read(ByteBuffer.allocate(8))).isEqualTo(1);
            assertThat(poll.prepareRead()).isEqualTo(PollStatus.READY);
            assertThat(poll.isReadLatched()).isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> (key.interestOps() & SelectionKey.OP_READ) != 0);
            poller.close(key, server);
        }
    }

    /**
     * While a latched event waits for a reader that does not come, the poller has nothing to do:
     * it blocks between looks (at most {@link NioPoller#IDLE_SELECT_MILLIS} each) instead of
     * polling in a loop, and still re-arms at once when the reader consumes (its wait's arm, or
     * the next look). Before, every pass polled: thousands of polls per idle select.
     */
    @Test
    void waitingForAConsumerThatDoesNotComeBlocksInsteadOfSpinning() throws Exception {
        NioPoller poller = new NioPoller("idle-test-poller", false, AWAIT_CONSUMER_NANOS);
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                SocketChannel server = listener.accept()) {
            PollDescriptor poll = new PollDescriptor();
            SelectionKey key = poller.register(server, poll);
            poller.arm(key, SelectionKey.OP_READ);
            client.write(ByteBuffer.wrap(new byte[] {1}));
            await().atMost(Duration.ofSeconds(5)).until(() -> (key.interestOps() & SelectionKey.OP_READ) == 0);

            long pollsBefore = poller.busyPolls;
            long idleBefore = poller.idleSelects;
            await().atMost(Duration.ofSeconds(5)).until(() -> poller.idleSelects >= idleBefore + 20);
            // Each idle select may be followed by one poll at most if something happened; nothing did.
            assertThat(poller.busyPolls - pollsBefore).isLessThanOrEqualTo(poller.idleSelects - idleBefore);

            assertThat(server.read(ByteBuffer.allocate(8))).isEqualTo(1);
            assertThat(poll.prepareRead()).isEqualTo(PollStatus.READY);
            await().atMost(Duration.ofSeconds(5)).until(() -> (key.interestOps() & SelectionKey.OP_READ) != 0);
            poller.close(key, server);
        }
    }

    /**
     * A close whose key a selection has not yet dropped (its wake-up was taken by an earlier wake-up
     * of the same selection) is finished by polling, never by a blocking selection: the caller joins
     * it. Here the closing channel is also registered with a second selector, which keeps it
     * registered (the state such a race leaves) for as long as the test likes. Before, a poller
     * waiting for a consumer blocked up to {@link NioPoller#IDLE_SELECT_MILLIS} per look meanwhile.
     */
    @Test
    void aCloseNotYetDeregisteredIsNotWaitedOnInAnIdleSelect() throws Exception {
        NioPoller poller = new NioPoller("close-test-poller", false, AWAIT_CONSUMER_NANOS);
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                SocketChannel server = listener.accept();
                SocketChannel otherClient = SocketChannel.open(listener.getLocalAddress());
                SocketChannel other = listener.accept();
                Selector elsewhere = Selector.open()) {
            PollDescriptor poll = new PollDescriptor();
            SelectionKey key = poller.register(server, poll);
            poller.arm(key, SelectionKey.OP_READ);
            client.write(ByteBuffer.wrap(new byte[] {1}));
            await().atMost(Duration.ofSeconds(5)).until(() -> (key.interestOps() & SelectionKey.OP_READ) == 0);
            SelectionKey otherKey = poller.register(other, new PollDescriptor());
            SelectionKey elsewhereKey = other.register(elsewhere, 0);
            long idleBefore = poller.idleSelects;
            await().atMost(Duration.ofSeconds(5)).until(() -> poller.idleSelects >= idleBefore + 2);

            poller.closeLater(otherKey, other);
            long idleAtClose = poller.idleSelects;
            long pollsAtClose = poller.busyPolls;
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> poller.busyPolls >= pollsAtClose + 50 || poller.idleSelects >= idleAtClose + 50);
            // the selection in progress when the close came, at most
            assertThat(poller.idleSelects - idleAtClose).isLessThanOrEqualTo(1);

            elsewhereKey.cancel();
            elsewhere.selectNow();
            await().atMost(Duration.ofSeconds(5)).until(() -> !other.isOpen());
            assertThat(server.read(ByteBuffer.allocate(8))).isEqualTo(1);
            assertThat(poll.prepareRead()).isEqualTo(PollStatus.READY);
            poller.close(key, server);
        }
    }
}

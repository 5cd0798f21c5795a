package io.weft.netpoll.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.spi.PollDescriptor;
import io.weft.netpoll.spi.PollStatus;
import java.io.IOException;
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
        try (Latched latched = Latched.open("rearm-test-poller")) {
            latched.consume();
            assertThat(latched.poll.isReadLatched()).isFalse();
            latched.awaitReadInterest();
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
        try (Latched latched = Latched.open("idle-test-poller")) {
            NioPoller poller = latched.poller;
            long pollsBefore = poller.busyPolls;
            long idleBefore = poller.idleSelects;
            await().atMost(Duration.ofSeconds(5)).until(() -> poller.idleSelects >= idleBefore + 20);
            // Each idle select may be followed by one poll at most if something happened; nothing did.
            assertThat(poller.busyPolls - pollsBefore).isLessThanOrEqualTo(poller.idleSelects - idleBefore);

            latched.consume();
            latched.awaitReadInterest();
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
        try (Latched latched = Latched.open("close-test-poller");
                SocketChannel otherClient = SocketChannel.open(latched.listener.getLocalAddress());
                SocketChannel other = latched.listener.accept();
                Selector elsewhere = Selector.open()) {
            NioPoller poller = latched.poller;
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
            latched.consume();
        }
    }

    /**
     * A platform poller and a connection whose read event it latched and nobody consumed: the
     * next selection reported the socket again, so the poller removed its read interest and
     * listed the key (awaiting its consumer for {@link #AWAIT_CONSUMER_NANOS}).
     */
    private static final class Latched implements AutoCloseable {
        final NioPoller poller;
        final ServerSocketChannel listener;
        final SocketChannel client;
        final SocketChannel server;
        final PollDescriptor poll = new PollDescriptor();
        final SelectionKey key;

        private Latched(NioPoller poller, ServerSocketChannel listener, SocketChannel client, SocketChannel server)
                throws IOException {
            this.poller = poller;
            this.listener = listener;
            this.client = client;
            this.server = server;
            this.key = poller.register(server, poll);
        }

        static Latched open(String pollerName) throws IOException {
            NioPoller poller = new NioPoller(pollerName, false, AWAIT_CONSUMER_NANOS);
            ServerSocketChannel listener = ServerSocketChannel.open()
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            Latched latched = new Latched(poller, listener, client, listener.accept());
            latched.poller.arm(latched.key, SelectionKey.OP_READ);
            client.write(ByteBuffer.wrap(new byte[] {1}));
            await().atMost(Duration.ofSeconds(5)).until(latched.poll::isReadLatched);
            await().atMost(Duration.ofSeconds(5)).until(() -> (latched.key.interestOps() & SelectionKey.OP_READ) == 0);
            return latched;
        }

        /** The reader reads (first, so no byte is left to report again) and takes the event. */
        void consume() throws IOException {
            assertThat(server.read(ByteBuffer.allocate(8))).isEqualTo(1);
            assertThat(poll.prepareRead()).isEqualTo(PollStatus.READY);
        }

        void awaitReadInterest() {
            await().atMost(Duration.ofSeconds(5)).until(() -> (key.interestOps() & SelectionKey.OP_READ) != 0);
        }

        @Override
        public void close() throws IOException {
            poller.close(key, server);
            client.close();
            listener.close();
        }
    }
}

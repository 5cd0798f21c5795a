package io.weft.netpoll.nio;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.spi.PollDescriptor;
import java.nio.channels.SelectionKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which interest the nio poller removes when an op fires (the poller's class comment). */
@Timeout(10)
class NioPollerRegistrationTest {
    private final NioPoller.Registration registration = new NioPoller.Registration(new PollDescriptor());

    @Test
    void readInterestStaysWhileItsWaiterKeepsArming() {
        registration.markWaiting(SelectionKey.OP_READ);
        assertThat(registration.disarmOnFiring(SelectionKey.OP_READ)).isZero();
        registration.markWaiting(SelectionKey.OP_READ);
        assertThat(registration.disarmOnFiring(SelectionKey.OP_READ)).isZero();
    }

    @Test
    void readInterestGoesWhenItFiresWithNoWaiterSinceTheLastFiring() {
        registration.markWaiting(SelectionKey.OP_READ);
        assertThat(registration.disarmOnFiring(SelectionKey.OP_READ)).isZero();
        // the reader is busy (or has stopped reading): a level-triggered selector would spin
        assertThat(registration.disarmOnFiring(SelectionKey.OP_READ)).isEqualTo(SelectionKey.OP_READ);
    }

    @Test
    void acceptInterestBehavesLikeRead() {
        registration.markWaiting(SelectionKey.OP_ACCEPT);
        assertThat(registration.disarmOnFiring(SelectionKey.OP_ACCEPT)).isZero();
        assertThat(registration.disarmOnFiring(SelectionKey.OP_ACCEPT)).isEqualTo(SelectionKey.OP_ACCEPT);
    }

    @Test
    void writeAndConnectInterestIsOneShot() {
        registration.markWaiting(SelectionKey.OP_WRITE);
        assertThat(registration.disarmOnFiring(SelectionKey.OP_WRITE)).isEqualTo(SelectionKey.OP_WRITE);
        registration.markWaiting(SelectionKey.OP_CONNECT);
        assertThat(registration.disarmOnFiring(SelectionKey.OP_CONNECT)).isEqualTo(SelectionKey.OP_CONNECT);
    }

    @Test
    void eachOpKeepsItsOwnMark() {
        registration.markWaiting(SelectionKey.OP_READ);
        registration.markWaiting(SelectionKey.OP_WRITE);
        int both = SelectionKey.OP_READ | SelectionKey.OP_WRITE;
        assertThat(registration.disarmOnFiring(both)).isEqualTo(SelectionKey.OP_WRITE);
        assertThat(registration.disarmOnFiring(SelectionKey.OP_READ)).isEqualTo(SelectionKey.OP_READ);
    }

    @Test
    void thePropertyChoosesThePollerThreads() {
        String before = System.getProperty(NioPoller.THREADS_PROPERTY);
        try {
            System.setProperty(NioPoller.THREADS_PROPERTY, "platform");
            assertThat(NioPoller.virtualPollers()).isFalse();
            System.setProperty(NioPoller.THREADS_PROPERTY, "virtual");
            assertThat(NioPoller.virtualPollers()).isTrue();
        } finally {
            if (before == null) {
                System.clearProperty(NioPoller.THREADS_PROPERTY);
            } else {
                System.setProperty(NioPoller.THREADS_PROPERTY, before);
            }
        }
    }
}

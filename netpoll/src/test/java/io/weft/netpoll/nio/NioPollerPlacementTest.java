package io.weft.netpoll.nio;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.spi.PollDescriptor;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where the nio backend puts new sockets ({@link NioTransport}'s class comment): on the first
 * poller until it holds {@link NioTransport#SPREAD_AFTER_REGISTRATIONS}, then on the next, then on
 * whichever holds the fewest; a socket closed, or one whose set-up failed, leaves its poller's count.
 */
@Timeout(30)
class NioPollerPlacementTest {
    private static final int SPREAD = NioTransport.SPREAD_AFTER_REGISTRATIONS;

    @Test
    void aFewSocketsShareTheFirstPollerAndManyAreSpreadByCount() throws Exception {
        NioTransport transport = new NioTransport(true, 2);
        List<Conn> conns = new ArrayList<>();
        try (Listener listener = transport.listen("tcp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            // Both ends of one connection, and the listener, on the first poller.
            pair(transport, listener, conns);
            assertThat(transport.pollerRegistrations()).containsExactly(3, 0);

            while (conns.size() < SPREAD) { // the listener and SPREAD sockets: the first is full, the second starts
                pair(transport, listener, conns);
            }
            assertThat(transport.pollerRegistrations()).containsExactly(SPREAD, 1);

            int[] placed;
            while (conns.size() < 4 * SPREAD) {
                pair(transport, listener, conns);
            }
            placed = transport.pollerRegistrations();
            assertThat(placed[0] + placed[1]).isEqualTo(1 + 4 * SPREAD);
            assertThat(Math.abs(placed[0] - placed[1])).isLessThanOrEqualTo(1);

            // Traffic both ways on every connection, whose two ends are now often on different pollers.
            for (int i = 0; i < conns.size(); i += 2) {
                roundTrip(conns.get(i), conns.get(i + 1), (byte) i);
            }
            for (Conn conn : conns) {
                conn.close();
            }
        }
        assertThat(transport.pollerRegistrations()).containsExactly(0, 0);
    }

    @Test
    void pollerCountFollowsTheJdksOwnPollers() {
        assertThat(NioTransport.pollerCount(true, 1)).isEqualTo(1);
        assertThat(NioTransport.pollerCount(true, 2)).isEqualTo(2);
        assertThat(NioTransport.pollerCount(true, 6)).isEqualTo(4);
        assertThat(NioTransport.pollerCount(true, 128)).isEqualTo(32);
        assertThat(NioTransport.pollerCount(false, 2)).isEqualTo(1);
        assertThat(NioTransport.pollerCount(false, 16)).isEqualTo(4);
    }

    @Test
    void aDialThatFailsLeavesNoCount() throws Exception {
        NioTransport transport = new NioTransport(true, 1);
        InetSocketAddress closedPort;
        try (Listener listener = transport.listen("tcp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closedPort = (InetSocketAddress) listener.address();
        }
        assertThat(transport.pollerRegistrations()).containsExactly(0);
        try {
            transport.dial("tcp", closedPort, PollDescriptor.NO_DEADLINE).close();
        } catch (java.io.IOException refused) {
            // expected: nothing listens there any more
        }
        assertThat(transport.pollerRegistrations()).containsExactly(0);
    }

    private static void roundTrip(Conn dialed, Conn accepted, byte value) throws Exception {
        dialed.write(ByteBuffer.wrap(new byte[] {value}));
        ByteBuffer one = ByteBuffer.allocate(1);
        assertThat(accepted.read(one)).isEqualTo(1);
        accepted.write(one.flip());
        ByteBuffer back = ByteBuffer.allocate(1);
        assertThat(dialed.read(back)).isEqualTo(1);
        assertThat(back.get(0)).isEqualTo(value);
    }

    private static void pair(NioTransport transport, Listener listener, List<Conn> conns) throws Exception {
        conns.add(transport.dial("tcp", listener.address(), PollDescriptor.NO_DEADLINE));
        conns.add(listener.accept());
    }
}

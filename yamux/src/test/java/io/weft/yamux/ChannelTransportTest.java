package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Sessions over plain JDK channels: what the {@code ByteChannel} overloads accept. */
@Timeout(30)
class ChannelTransportTest {

    @Test
    void aNonBlockingChannelIsRefusedWithAClearMessage() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel channel = SocketChannel.open(listener.getLocalAddress())) {
            channel.configureBlocking(false);
            assertThatThrownBy(() -> Session.client(channel, YamuxConfig.defaults()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("blocking mode");
            assertThat(channel.isOpen()).as("the caller still owns the refused channel").isTrue();
        }
    }

    @Test
    void aBlockingChannelCarriesAStream() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel clientChannel = SocketChannel.open(listener.getLocalAddress());
                SocketChannel serverChannel = listener.accept();
                Session client = Session.client(clientChannel, YamuxConfig.defaults());
                Session server = Session.server(serverChannel, YamuxConfig.defaults())) {
            client.openStream().write(ByteBuffer.wrap(new byte[] {42}));
            ByteBuffer received = ByteBuffer.allocate(1);
            assertThat(server.acceptStream().read(received)).isEqualTo(1);
            assertThat(received.get(0)).isEqualTo((byte) 42);
        }
    }
}

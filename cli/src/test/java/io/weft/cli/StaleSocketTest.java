package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link StaleSocket}: only a socket file that nobody answers on is removed. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StaleSocketTest {

    @TempDir
    Path dir;

    @Test
    void aSocketFileWithoutListenerIsRemoved() throws Exception {
        Path path = dir.resolve("stale.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
        } // closing does not remove the file: what a killed process leaves
        assertThat(path).exists();
        assertThat(StaleSocket.check(path)).isEqualTo(StaleSocket.Verdict.REMOVED);
        assertThat(path).doesNotExist();
    }

    @Test
    void aLiveSocketIsLeftAlone() throws Exception {
        Path path = dir.resolve("live.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            assertThat(StaleSocket.check(path)).isEqualTo(StaleSocket.Verdict.LIVE);
            assertThat(path).exists();
        }
    }

    @Test
    void aLiveSocketWhoseBacklogIsFullIsLeftAloneWithoutHanging() throws Exception {
        Path path = dir.resolve("busy.sock");
        java.util.List<java.nio.channels.SocketChannel> waiting = new java.util.ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path), 1); // a server too busy to accept
            while (waiting.size() < 64) {
                java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(StandardProtocolFamily.UNIX);
                c.configureBlocking(false);
                waiting.add(c);
                try {
                    c.connect(UnixDomainSocketAddress.of(path));
                } catch (java.io.IOException full) {
                    break; // EAGAIN: the backlog is full
                }
            }
            assertThat(waiting).as("the backlog filled up").hasSizeLessThan(64);
            assertThat(StaleSocket.check(path)).isNotEqualTo(StaleSocket.Verdict.REMOVED);
            assertThat(path).exists();
        } finally {
            for (java.nio.channels.SocketChannel c : waiting) {
                c.close();
            }
        }
    }

    @Test
    void aFileThatIsNoSocketIsLeftAlone() throws Exception {
        Path file = Files.writeString(dir.resolve("data.txt"), "keep me");
        assertThat(StaleSocket.check(file)).isEqualTo(StaleSocket.Verdict.UNKNOWN);
        assertThat(file).hasContent("keep me");
        assertThat(StaleSocket.check(dir.resolve("missing.sock"))).isEqualTo(StaleSocket.Verdict.UNKNOWN);
    }
}

package io.weft.netpoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link ConnContractTest} for unix domain sockets on one poller, plus the socket-file rules
 * (the listener creates the file, removes it on close, refuses an existing one). A subclass names
 * the poller.
 */
public abstract class UnixContractTest extends ConnContractTest {
    /** A fresh directory for socket files. */
    @TempDir
    protected Path directory;

    /** The poller under test. */
    protected abstract Poller poller();

    @Override
    protected ConnPair connect() throws Exception {
        String path = directory.resolve("pair.sock").toString();
        Listener listener = poller().listen("unix", path);
        Conn dialed = poller().dial("unix", path);
        Conn accepted = listener.accept();
        return new ConnPair(dialed, accepted, listener);
    }

    @Override
    protected Class<NetClosedException> closedExceptionType() {
        return NetClosedException.class;
    }

    @Test
    void addressesAreSocketFiles() {
        assertThat(c1.remoteAddress()).isEqualTo(UnixDomainSocketAddress.of(directory.resolve("pair.sock")));
        assertThat(c2.localAddress()).isEqualTo(UnixDomainSocketAddress.of(directory.resolve("pair.sock")));
        assertThat(c1).isNotInstanceOf(TcpConn.class);
    }

    @Test
    void listenerRemovesItsSocketFileWhenClosed() throws Exception {
        Path file = directory.resolve("own.sock");
        Listener listener = poller().listen("unix", file.toString());
        assertThat(file).exists();
        listener.close();
        assertThat(file).doesNotExist();
    }

    @Test
    void listeningOnAnExistingFileFails() throws Exception {
        Path file = Files.writeString(directory.resolve("taken.sock"), "x");
        assertThatThrownBy(() -> poller().listen("unix", file.toString()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("listen unix " + file);
        assertThat(file).hasContent("x");
    }

    @Test
    void dialingAMissingFileFails() {
        assertThatThrownBy(() -> poller().dial("unix", directory.resolve("missing.sock").toString()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("dial unix " + directory.resolve("missing.sock"));
    }

    @Test
    void bytesFlowBothWays() throws Exception {
        c1.write(ByteBuffer.wrap(new byte[] {1}));
        assertThat(readByte(c2)).isEqualTo(1);
        c2.write(ByteBuffer.wrap(new byte[] {2}));
        assertThat(readByte(c1)).isEqualTo(2);
    }
}

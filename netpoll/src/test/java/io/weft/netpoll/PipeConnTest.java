package io.weft.netpoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.netpoll.TestThreads.Call;
import io.weft.netpoll.TestThreads.Kind;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The Conn contract on {@link Net#pipe()}, plus what makes a pipe a pipe: it is synchronous. */
class PipeConnTest extends ConnContractTest {

    @Override
    protected ConnPair connect() {
        Net.Pipe pipe = Net.pipe();
        return new ConnPair(pipe.first(), pipe.second());
    }

    @Override
    protected boolean buffersWrites() {
        return false;
    }

    @Override
    protected Class<NetClosedException> closedExceptionType() {
        return NetClosedException.class;
    }

    @Test
    void writeBlocksUntilEveryByteIsRead() throws Exception {
        Call<Integer> writer = threads.start(Kind.VIRTUAL, () -> c1.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        writer.awaitBlocked();
        ByteBuffer two = ByteBuffer.allocate(2);
        assertThat(c2.read(two)).isEqualTo(2);
        assertThatThrownBy(() -> writer.result().get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(c2.read(ByteBuffer.allocate(8))).isEqualTo(1);
        assertThat(writer.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
    }

    @Test
    void writingToAClosedPeerIsABrokenPipe() throws Exception {
        c2.close();
        assertThatThrownBy(() -> c1.write(ByteBuffer.allocate(1)))
                .isInstanceOf(ConnectionResetException.class)
                .hasMessage("write pipe: broken pipe");
        assertThat(c1.read(ByteBuffer.allocate(1))).isEqualTo(-1);
    }

    @Test
    void aWriteWhoseBytesWereAllReadSucceedsEvenIfTheReaderThenCloses() throws Exception {
        // Go's net.Pipe: once the reader has taken every byte the write has succeeded; a close
        // right after the read must not turn it into a broken pipe. Racy by nature, so many rounds.
        for (int round = 0; round < 300; round++) {
            Net.Pipe pipe = Net.pipe();
            Call<Integer> writer = threads.start(Kind.VIRTUAL, () -> pipe.first().write(ByteBuffer.allocate(32)));
            ByteBuffer got = ByteBuffer.allocate(32);
            while (got.hasRemaining()) {
                pipe.second().read(got);
            }
            pipe.second().close();
            assertThat(writer.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("round %d", round).isEqualTo(32);
            pipe.first().close();
        }
    }

    @Test
    void pipeEndsHaveNoAddresses() {
        assertThat(c1.localAddress()).isNull();
        assertThat(c1.remoteAddress()).isNull();
    }
}

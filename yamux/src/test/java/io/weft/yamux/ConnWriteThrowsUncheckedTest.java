package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.weft.netpoll.Conn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link Conn} whose write throws an unchecked exception (a bug in a user's Conn) fails the
 * session with that exception as the cause, on an application thread's write as on the writer
 * thread's. Before, the exception escaped an application flusher with the flusher's mark still
 * set, so nothing was ever written again and the next write waited forever.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnWriteThrowsUncheckedTest extends RawTcpClientTest {

    @Test
    void anUncheckedExceptionFromTheConnsWriteFailsTheSessionAndEveryLaterWrite() throws Exception {
        Conn[] conns = SessionPair.tcpLoopback();
        raw = conns[1];
        IllegalStateException bug = new IllegalStateException("a bug in the user's Conn");
        Thread caller = Thread.currentThread();
        Conn throwing = new DelegatingConn(conns[0]) {
            @Override
            public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
                if (Thread.currentThread() == caller) {
                    throw bug;
                }
                return super.write(srcs, offset, length);
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                if (Thread.currentThread() == caller) {
                    throw bug;
                }
                return super.write(src);
            }
        };
        client = Session.client(throwing, SessionPair.testConfig().keepAliveEnabled(false).build());
        Stream stream = client.openStream();

        Throwable first = catchThrowable(() -> stream.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        assertThat(first).isInstanceOf(IOException.class).hasRootCause(bug);
        assertThat(client.closeFuture()).succeedsWithin(java.time.Duration.ofSeconds(10));

        Throwable second = catchThrowable(() -> stream.write(ByteBuffer.wrap(new byte[] {4})));
        assertThat(second).as("fails at once, does not wait for a flusher that is gone")
                .isInstanceOf(IOException.class).hasRootCause(bug);
    }
}

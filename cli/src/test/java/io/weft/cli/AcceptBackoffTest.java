package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import io.weft.netpoll.NetClosedException;
import io.weft.netpoll.TemporaryAcceptException;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 13, defect 17: the accept back-off (Go's net/http: 5 ms doubling to 1 s, reset on success), with injected time. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AcceptBackoffTest {
    private final List<Duration> slept = new ArrayList<>();
    private final RecordingLogger logger = new RecordingLogger();
    private final AcceptBackoff backoff = new AcceptBackoff(new PeerWarnings(logger), slept::add);

    @Test
    void temporaryErrorsWaitFiveMillisDoublingToOneSecondAndASuccessResetsIt() throws Exception {
        Conn conn = Net.pipe().first();
        ScriptedListener listener = new ScriptedListener();
        for (int i = 0; i < 10; i++) {
            listener.failures.add(new TemporaryAcceptException("tcp 127.0.0.1:1", "too many open files"));
        }
        listener.results.add(conn);
        assertThat(backoff.accept(listener)).isSameAs(conn);
        assertThat(slept).extracting(Duration::toMillis).containsExactly(5L, 10L, 20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L);
        assertThat(backoff.currentDelay()).isZero();

        slept.clear();
        listener.failures.add(new TemporaryAcceptException("tcp 127.0.0.1:1", "too many open files"));
        listener.results.add(conn);
        backoff.accept(listener);
        assertThat(slept).extracting(Duration::toMillis).containsExactly(5L); // reset by the success
        assertThat(logger.messages().get(0)).isEqualTo("accept tcp 127.0.0.1:1: too many open files; retrying in 5ms");
    }

    @Test
    void logLinesAreRateLimited() throws Exception {
        ScriptedListener listener = new ScriptedListener();
        for (int i = 0; i < 500; i++) {
            listener.failures.add(new TemporaryAcceptException("tcp 127.0.0.1:1", "too many open files"));
        }
        listener.results.add(Net.pipe().first());
        backoff.accept(listener);
        assertThat(slept).hasSize(500);
        assertThat(logger.messages()).hasSize(PeerWarnings.BURST);
    }

    @Test
    void aClosedListenerStillEndsTheLoop() {
        ScriptedListener listener = new ScriptedListener();
        listener.failures.add(new NetClosedException("accept", "tcp 127.0.0.1:1"));
        assertThatThrownBy(() -> backoff.accept(listener)).isInstanceOf(NetClosedException.class);
        assertThat(slept).isEmpty();
    }

    /** Throws the queued failures, then returns the queued connections. */
    private static final class ScriptedListener implements Listener {
        final Deque<IOException> failures = new ArrayDeque<>();
        final Deque<Conn> results = new ArrayDeque<>();

        @Override
        public Conn accept() throws IOException {
            IOException failure = failures.poll();
            if (failure != null) {
                throw failure;
            }
            return results.remove();
        }

        @Override
        public SocketAddress address() {
            return null;
        }

        @Override
        public void setDeadline(Instant deadline) {}

        @Override
        public void close() {}
    }

}

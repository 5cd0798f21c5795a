package io.weft.netpoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.weft.netpoll.TestThreads.Call;
import io.weft.netpoll.TestThreads.Kind;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The behaviour every {@link Listener} must have: accept, accept deadlines (pending and future),
 * close waking every blocked acceptor, interrupt. A subclass says how to listen and how to dial
 * the listener.
 */
public abstract class ListenerContractTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    /** Threads started by the test; joined after each test. */
    protected final TestThreads threads = new TestThreads();
    /** The listener under test. */
    protected Listener listener;

    /** Opens a fresh listener. */
    protected abstract Listener listen() throws Exception;

    /** Connects to {@code listener}. */
    protected abstract Conn dial(Listener listener) throws Exception;

    @BeforeEach
    void openListener() throws Exception {
        listener = listen();
    }

    @AfterEach
    void closeListener() throws Exception {
        try {
            listener.close();
        } finally {
            threads.joinAll(PATIENCE);
        }
    }

    @Test
    void acceptReturnsTheDialedConnection() throws Exception {
        try (Conn dialed = dial(listener); Conn accepted = listener.accept()) {
            dialed.write(ByteBuffer.wrap(new byte[] {1}));
            ByteBuffer got = ByteBuffer.allocate(1);
            assertThat(accepted.read(got)).isEqualTo(1);
            assertThat(got.get(0)).isEqualTo((byte) 1);
        }
    }

    @Test
    void acceptTimesOutAtDeadlineAndWorksAfterItMoves() throws Exception {
        long start = System.nanoTime();
        listener.setDeadline(Instant.now().plusMillis(100));
        assertThatThrownBy(listener::accept).isInstanceOf(DeadlineExceededException.class).hasMessageContaining("i/o timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(90));
        listener.setDeadline(Instant.EPOCH);
        assertThatThrownBy(listener::accept).isInstanceOf(DeadlineExceededException.class);
        listener.setDeadline(null);
        try (Conn dialed = dial(listener); Conn accepted = listener.accept()) {
            assertThat(accepted.isOpen()).isTrue();
        }
    }

    @Test
    void deadlineSetWhileBlockedAppliesToThePendingAccept() throws Exception {
        Call<Throwable> acceptor = threads.start(Kind.VIRTUAL, () -> catchThrowable(listener::accept));
        acceptor.awaitBlocked();
        listener.setDeadline(Instant.now());
        assertThat(acceptor.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(DeadlineExceededException.class);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeWakesEveryBlockedAcceptor(Kind kind) throws Exception {
        List<Call<Throwable>> acceptors = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            acceptors.add(threads.start(kind, () -> catchThrowable(listener::accept)));
        }
        for (Call<Throwable> acceptor : acceptors) {
            acceptor.awaitBlocked();
        }
        listener.close();
        for (Call<Throwable> acceptor : acceptors) {
            assertThat(acceptor.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(NetClosedException.class)
                    .hasMessageContaining("accept")
                    .hasMessageContaining(NetClosedException.CLOSED);
        }
        assertThatThrownBy(listener::accept).isInstanceOf(NetClosedException.class);
        assertThatThrownBy(() -> listener.setDeadline(null)).isInstanceOf(NetClosedException.class);
        listener.close(); // idempotent
    }

    @Test
    void interruptEndsBlockedAcceptAndLeavesListenerOpen() throws Exception {
        Call<Boolean> acceptor = threads.start(Kind.VIRTUAL, () -> {
            Throwable failure = catchThrowable(listener::accept);
            assertThat(failure).isInstanceOf(InterruptedIOException.class).isNotInstanceOf(SocketTimeoutException.class);
            return Thread.currentThread().isInterrupted();
        });
        acceptor.awaitBlocked();
        acceptor.thread().interrupt();
        assertThat(acceptor.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        try (Conn dialed = dial(listener); Conn accepted = listener.accept()) {
            assertThat(accepted.isOpen()).isTrue();
        }
    }

    @Test
    void manyDialsAreAllAccepted() throws Exception {
        int count = 200;
        List<Conn> dialed = new ArrayList<>();
        Call<List<Conn>> acceptor = threads.start(Kind.VIRTUAL, () -> {
            List<Conn> accepted = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                accepted.add(listener.accept());
            }
            return accepted;
        });
        try {
            for (int i = 0; i < count; i++) {
                dialed.add(dial(listener));
            }
            List<Conn> accepted = acceptor.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(accepted).hasSize(count);
            for (Conn conn : accepted) {
                conn.close();
            }
        } finally {
            for (Conn conn : dialed) {
                conn.close();
            }
        }
    }
}

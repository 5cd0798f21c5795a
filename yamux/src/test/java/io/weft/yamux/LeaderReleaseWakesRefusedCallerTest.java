package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A caller refused the read role while another caller leads is woken when that leader releases
 * the role, and takes it ({@link SessionReader#lead}). Before, it waited until the next frame
 * reached the reader thread: from the release until the reader thread's grace ran out nobody read
 * the connection at all, and after it the refused caller was served only by the reader thread.
 * Keepalive is off, so no frame arrives after the leader's: without the wake-up the refused caller
 * never leads, and the wait below times out.
 */
class LeaderReleaseWakesRefusedCallerTest extends OnePairTest {

    @ParameterizedTest
    @EnumSource(value = SessionPair.Kind.class, names = {"PIPE", "NETPOLL_TCP"})
    void theRefusedCallerLeadsOnceTheLeaderReleases(SessionPair.Kind kind) throws Exception {
        QuietStreams streams = twoQuietStreams(kind);
        SessionReader reader = pair.client().reader();
        Stream first = streams.first();
        Stream second = streams.second();
        Stream firstServer = streams.firstServer();
        Stream secondServer = streams.secondServer();

        CompletableFuture<Integer> firstRead = readOnPlatformThread(first);
        await().atMost(PATIENCE).until(() -> reader.leaderStream() == first);
        CompletableFuture<Integer> secondRead = new CompletableFuture<>();
        Thread secondCaller = Thread.ofPlatform().start(() -> complete(secondRead, second));
        // Refused (the first caller leads), it waits for its stream's data.
        await().atMost(PATIENCE).until(() -> secondCaller.getState() == Thread.State.WAITING
                || secondCaller.getState() == Thread.State.TIMED_WAITING);
        assertThat(reader.leaderStream()).isSameAs(first);

        firstServer.write(ByteBuffer.wrap(new byte[] {7})); // the leader reads it and releases the role
        assertThat(firstRead.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);

        await().atMost(PATIENCE).until(() -> reader.leaderStream() == second);
        long ledBefore = reader.ledFrames();
        secondServer.write(ByteBuffer.wrap(new byte[] {8}));
        assertThat(secondRead.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(reader.ledFrames()).isGreaterThan(ledBefore); // read by its own caller
    }

    private static CompletableFuture<Integer> readOnPlatformThread(Stream stream) {
        CompletableFuture<Integer> read = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> complete(read, stream));
        return read;
    }

    private static void complete(CompletableFuture<Integer> read, Stream stream) {
        try {
            read.complete(stream.read(ByteBuffer.allocate(16)));
        } catch (Throwable t) {
            read.completeExceptionally(t);
        }
    }
}

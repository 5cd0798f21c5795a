package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Net;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A wake-up of a leading caller ({@link SessionReader#wakeLeader}: flag, then a read deadline in
 * the past on the connection) whose deadline lands after the leader it was meant for has cleared
 * the flag must not stay on the connection: the next leader meets it and must clear it, or every
 * lead ends at once and nobody reads a frame again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaderWakeUpRaceTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @Test
    void aWakeUpThatLandsLateIsClearedByTheNextLeader() throws Exception {
        Net.Pipe pipe = Net.pipe();
        CountDownLatch pokeEntered = new CountDownLatch(1);
        CountDownLatch pokeMayLand = new CountDownLatch(1);
        Thread[] poker = new Thread[1];
        Conn hooked = new DelegatingConn(pipe.first()) {
            @Override
            public void setReadDeadline(Instant deadline) throws IOException {
                if (Instant.EPOCH.equals(deadline) && Thread.currentThread() == poker[0]) {
                    pokeEntered.countDown();
                    try {
                        if (!pokeMayLand.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                            throw new IOException("never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.setReadDeadline(deadline);
            }
        };
        YamuxConfig config = SessionPair.testConfig().keepAliveEnabled(false).build();
        try (SessionPair pair = new SessionPair(Session.client(hooked, config), Session.server(pipe.second(), config))) {
            CompletableFuture<Stream> accepted = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    accepted.complete(pair.server().acceptStream());
                } catch (Throwable t) {
                    accepted.completeExceptionally(t);
                }
            });
            Stream stream = pair.client().openStream();
            stream.write(ByteBuffer.wrap(new byte[] {0}));
            Stream serverSide = accepted.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

            BlockingQueue<Object> received = new LinkedBlockingQueue<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    ByteBuffer one = ByteBuffer.allocate(1);
                    while (stream.read(one.clear()) > 0) {
                        received.add(one.get(0));
                    }
                } catch (Throwable t) {
                    received.add(t);
                }
            });
            serverSide.write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(received.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo((byte) 1);
            awaitLeading(pair);

            // Another thread wakes the leader: the flag is set, its deadline is held back.
            poker[0] = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (pokeEntered.getCount() > 0) { // until the leader has published its stream
                        stream.setReadDeadline(null);
                        Thread.onSpinWait();
                    }
                } catch (IOException e) {
                    // the session closed
                }
            });
            assertThat(pokeEntered.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // The leader reads a frame, clears the flag as it leaves and leads again, flag clear.
            serverSide.write(ByteBuffer.wrap(new byte[] {2}));
            assertThat(received.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo((byte) 2);
            awaitLeading(pair);
            pokeMayLand.countDown(); // now the deadline in the past lands
            poker[0].join(PATIENCE.toMillis());

            Thread.ofVirtual().start(() -> { // over the unbuffered pipe a write waits for its reader
                try {
                    serverSide.write(ByteBuffer.wrap(new byte[] {3}));
                } catch (IOException e) {
                    // the session closed
                }
            });
            assertThat(received.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .as("the caller reads on after a late wake-up (role %s)", pair.client().reader().role())
                    .isEqualTo((byte) 3);
        }
    }

    private static void awaitLeading(SessionPair pair) {
        try {
            await().atMost(PATIENCE).until(() -> pair.client().reader().role().state() == ReadRole.LEADER);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder threads = new StringBuilder();
            Thread.getAllStackTraces().forEach((thread, stack) -> threads.append('\n').append(thread)
                    .append(java.util.Arrays.toString(stack)));
            try {
                SessionReader r = pair.client().reader();
                for (String name : new String[] {"dedicated", "handOffFor", "deadlineDirty", "leaderStream"}) {
                    java.lang.reflect.Field f = SessionReader.class.getDeclaredField(name);
                    f.setAccessible(true);
                    Object v = f.get(r);
                    threads.append("\nFIELD ").append(name).append('=').append(v);
                    if (v instanceof Thread t) {
                        threads.append("\nDEDICATED STACK ").append(java.util.Arrays.toString(t.getStackTrace()));
                    }
                }
            } catch (ReflectiveOperationException x) {
                threads.append(x);
            }
            throw new AssertionError("no caller leads: role " + pair.client().reader().role() + threads, e);
        }
    }
}

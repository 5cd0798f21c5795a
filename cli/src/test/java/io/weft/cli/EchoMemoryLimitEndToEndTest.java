package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.DeadlineExceededException;
import io.weft.yamux.RemoteGoAwayException;
import io.weft.yamux.Session;
import io.weft.yamux.SessionClosedException;
import io.weft.yamux.Stream;
import io.weft.yamux.StreamResetException;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Defect 16, end to end: the real {@code weft echo} with a 96 MiB heap, attacked by 10 sessions ×
 * 100 streams that each send three windows and never read the echo (before the fix that is about
 * 320 MiB of buffers: the process ran out of heap and wedged). It must refuse what does not fit,
 * keep serving a session admitted before the attack, stay free of OutOfMemoryError, and serve
 * new sessions once the attackers leave.
 */
@Timeout(120)
class EchoMemoryLimitEndToEndTest {

    private static final Pattern LIMITS = Pattern.compile("limits: [0-9,]+ sessions, ([0-9,]+) streams");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int SESSIONS = 10;
    private static final int STREAMS_PER_SESSION = 100;
    private static final int WINDOW = 256 * 1024;
    /** No keepalive: the attackers must not be closed for not reading; the victim reads its own. */
    private static final YamuxConfig CLIENT = YamuxConfig.builder().keepAliveEnabled(false).build();

    @Test
    void echoWithASmallHeapRefusesWhatDoesNotFitAndKeepsServing() throws Exception {
        try (WeftProcess echo = WeftProcess.startWithJvmOptions(List.of("-Xmx96m"),
                "echo", "--listen", "127.0.0.1:0")) {
            InetSocketAddress address = socketAddress(echo.awaitListening(TIMEOUT));
            Matcher limits = LIMITS.matcher(echo.stderr());
            assertThat(limits.find()).as("limits line in %s", echo.stderr()).isTrue();
            int maxStreams = Integer.parseInt(limits.group(1).replace(",", ""));

            Session victim = dial(address);
            Stream victimStream = victim.openStream();
            assertEchoes(victimStream, 64 * 1024, 1);

            List<Session> attackers = new ArrayList<>();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger held = new AtomicInteger();
            List<Thread> writers = new ArrayList<>();
            byte[] payload = new byte[3 * WINDOW];
            Instant writeDeadline = Instant.now().plusSeconds(4);
            try {
                for (int s = 0; s < SESSIONS; s++) {
                    Session attacker = dial(address);
                    attackers.add(attacker);
                    for (int i = 0; i < STREAMS_PER_SESSION; i++) {
                        Stream stream = attacker.openStream();
                        writers.add(Thread.ofVirtual().start(() -> {
                            try {
                                stream.setWriteDeadline(writeDeadline);
                                stream.write(ByteBuffer.wrap(payload));
                            } catch (StreamResetException | RemoteGoAwayException | SessionClosedException e) {
                                // Refused: the stream with RST, or its session with GoAway (or a
                                // reset, when this writer hits the closed connection first).
                                refused.incrementAndGet();
                            } catch (DeadlineExceededException e) {
                                held.incrementAndGet(); // admitted, and its buffers are full
                            } catch (IOException e) {
                                throw new AssertionError(e);
                            }
                        }));
                    }
                }
                for (Thread w : writers) {
                    assertThat(w.join(TIMEOUT)).as("writer ended").isTrue();
                }
                assertThat(echo.process().isAlive()).as("echo alive; stderr:%n%s", echo.stderr()).isTrue();
                assertThat(echo.stderr()).doesNotContain("OutOfMemoryError").contains("memory budget");
                assertThat(refused.get()).as("streams refused").isPositive();
                assertThat(held.get()).as("streams admitted and full").isPositive().isLessThanOrEqualTo(maxStreams);

                // Under the full budget, the session admitted before keeps working.
                assertEchoes(victimStream, 256 * 1024, 2);
                assertThat(victim.ping()).isPositive();
            } finally {
                attackers.forEach(Session::close);
            }

            // The attackers left: once the server has seen their connections close (asynchronously:
            // until then a new session may still be refused with GoAway), their memory is back, and
            // new sessions and streams are served.
            org.awaitility.Awaitility.await().atMost(TIMEOUT).ignoreException(RemoteGoAwayException.class)
                    .ignoreException(SessionClosedException.class).untilAsserted(() -> {
                        try (Session probe = dial(address); Stream stream = probe.openStream()) {
                            assertEchoes(stream, 1024, 99);
                        }
                    });
            for (int i = 0; i < 3; i++) {
                try (Session fresh = dial(address)) {
                    for (int j = 0; j < 20; j++) {
                        try (Stream stream = fresh.openStream()) {
                            assertEchoes(stream, 100 * 1024, 10 + j);
                        }
                    }
                }
            }
            assertThat(echo.process().isAlive()).isTrue();
            assertThat(echo.stderr()).doesNotContain("OutOfMemoryError");
            victim.close();
        }
    }

    private static Session dial(InetSocketAddress address) throws IOException {
        return Session.client(SocketChannel.open(address), CLIENT);
    }

    /** Writes {@code bytes} random bytes and reads exactly them back. */
    private static void assertEchoes(Stream stream, int bytes, long seed) throws IOException {
        byte[] sent = new byte[bytes];
        new SplittableRandom(seed).nextBytes(sent);
        stream.setDeadline(Instant.now().plus(TIMEOUT));
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                stream.write(ByteBuffer.wrap(sent));
            } catch (IOException ignored) {
                // the read below fails then
            }
        });
        byte[] got = stream.inputStream().readNBytes(bytes);
        assertThat(Arrays.equals(got, sent)).as("%d bytes echoed intact", bytes).isTrue();
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static InetSocketAddress socketAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}

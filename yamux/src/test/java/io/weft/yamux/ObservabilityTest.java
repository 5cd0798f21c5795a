package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class ObservabilityTest {

    @Test
    void jfrEventsAreRecordedWhenEnabled() throws Exception {
        Path file = Files.createTempFile("yamux", ".jfr");
        try (Recording recording = new Recording()) {
            for (String event : List.of("SessionStarted", "StreamReset", "GoAway", "SessionClosed", "WindowStall",
                    "ProtocolError")) {
                recording.enable("io.weft.yamux." + event);
            }
            recording.start();
            try (SessionPair pair = SessionPair.open(SessionPair.Kind.PIPE)) {
                Stream stream = pair.client().openStream();
                Stream accepted = pair.server().acceptStream();
                stream.reset(7);
                assertThat(catchThrowable(() -> accepted.read(ByteBuffer.allocate(1))))
                        .isInstanceOf(StreamResetException.class);
                stallOneWindow(pair);
                pair.server().goAway();
                pair.close();
                // the close event is committed before awaitClose returns, on whichever thread closed
                assertThat(pair.client().awaitClose(Duration.ofSeconds(10))).isTrue();
                assertThat(pair.server().awaitClose(Duration.ofSeconds(10))).isTrue();
            }
            failWithProtocolError();
            recording.stop();
            recording.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            assertThat(events).extracting(e -> e.getEventType().getName()).contains(
                    "io.weft.yamux.SessionStarted", "io.weft.yamux.StreamReset", "io.weft.yamux.GoAway",
                    "io.weft.yamux.SessionClosed", "io.weft.yamux.WindowStall", "io.weft.yamux.ProtocolError");
            assertThat(named(events, "StreamReset")).anySatisfy(e -> {
                assertThat(e.getLong("code")).isEqualTo(7);
                assertThat(e.getBoolean("remote")).isFalse();
                assertThat(e.getString("session")).startsWith("yamux client session ");
            });
            assertThat(named(events, "StreamReset")).anySatisfy(e -> assertThat(e.getBoolean("remote")).isTrue());
            assertThat(named(events, "SessionStarted")).anySatisfy(e -> {
                assertThat(e.getBoolean("client")).isTrue();
                assertThat(e.getString("session")).startsWith("yamux client session ");
            });
            assertThat(named(events, "GoAway")).anySatisfy(e -> {
                assertThat(e.getBoolean("sent")).isTrue();
                assertThat(e.getLong("code")).isZero();
                assertThat(e.getString("session")).startsWith("yamux server session ");
            });
            assertThat(named(events, "SessionClosed")).anySatisfy(e -> assertThat(e.getString("cause"))
                    .contains("YamuxProtocolException"));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals("io.weft.yamux." + name)).toList();
    }

    @Test
    void periodicStatisticsEventCarriesEachLiveSessionsFigures() throws Exception {
        CompletableFuture<RecordedEvent> seen = new CompletableFuture<>();
        try (RecordingStream recording = new RecordingStream();
                SessionPair pair = SessionPair.open(SessionPair.Kind.PIPE)) {
            String server = pair.server().toString();
            recording.enable("io.weft.yamux.SessionStatistics").withPeriod(Duration.ofMillis(50));
            recording.onEvent("io.weft.yamux.SessionStatistics", e -> {
                if (e.getString("session").equals(server) && e.getLong("bytesIn") == 100) {
                    seen.complete(e);
                }
            });
            recording.startAsync();
            Stream stream = pair.client().openStream();
            stream.write(ByteBuffer.allocate(100));
            Stream accepted = pair.server().acceptStream();
            accepted.read(ByteBuffer.allocate(100));
            RecordedEvent event = seen.get(20, TimeUnit.SECONDS);
            assertThat(event.getBoolean("client")).isFalse();
            assertThat(event.getInt("streamsOpen")).isEqualTo(1);
            assertThat(event.getLong("streamsOpenedByPeer")).isEqualTo(1);
            assertThat(event.getLong("framesIn")).isGreaterThanOrEqualTo(1);
            assertThat(event.getLong("memoryBudgetBytes")).isPositive();
        }
    }

    /** One window's worth and a byte more, read only once the writer has stalled on the window. */
    private static void stallOneWindow(SessionPair pair) throws Exception {
        Stream writer = pair.client().openStream();
        int total = YamuxConfig.defaults().streamWindowBytes() + 1;
        CompletableFuture<Throwable> written = new CompletableFuture<>();
        Thread writing = Thread.ofVirtual().start(
                () -> written.complete(catchThrowable(() -> writer.write(ByteBuffer.allocate(total)))));
        Stream reader = pair.server().acceptStream();
        await().atMost(Duration.ofSeconds(10)).until(() -> pair.client().stats().windowStalls() > 0);
        ByteBuffer sink = ByteBuffer.allocate(total);
        while (sink.hasRemaining()) {
            reader.read(sink);
        }
        assertThat(written.get(10, TimeUnit.SECONDS)).isNull();
        writing.join();
    }

    /** A server session fed a frame header with version 1 fails with a protocol error. */
    private static void failWithProtocolError() throws Exception {
        PipeConn[] pipe = PipeConn.pair(64 * 1024);
        try (Session server = Session.server(pipe[1], YamuxConfig.defaults())) {
            pipe[0].write(ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}));
            assertThat(server.awaitClose(Duration.ofSeconds(10))).isTrue();
            assertThat(server.closeCause()).isInstanceOf(YamuxProtocolException.class);
        } finally {
            pipe[0].close();
        }
    }

    @Test
    void statsCountStreamsFramesAndBytes() throws Exception {
        try (SessionPair pair = SessionPair.open(SessionPair.Kind.PIPE)) {
            Stream stream = pair.client().openStream();
            Stream accepted = pair.server().acceptStream();
            stream.write(ByteBuffer.allocate(100));
            accepted.read(ByteBuffer.allocate(100));
            stream.reset();
            SessionStats client = pair.client().stats();
            assertThat(client.streamsOpened()).isEqualTo(1);
            assertThat(client.bytesOut()).isEqualTo(100);
            assertThat(client.streamsReset()).isEqualTo(1);
            assertThat(client.goAwayCodeSent()).isEqualTo(-1);
            org.awaitility.Awaitility.await().until(() -> pair.server().stats().streamsReset() == 1);
            SessionStats server = pair.server().stats();
            assertThat(server.streamsAccepted()).isEqualTo(1);
            assertThat(server.bytesIn()).isEqualTo(100);
            assertThat(server.dataFramesIn()).isEqualTo(1);
            assertThat(server.framesIn()).isGreaterThanOrEqualTo(3); // SYN, data, RST
        }
    }

    @Test
    void statsSplitResetsByDirectionAndCountBacklogRttGoAwaysAndMemory() throws Exception {
        // Keepalive off: a keepalive reply landing between ping() and stats() would replace lastRtt.
        YamuxConfig quiet = SessionPair.testConfig().keepAliveEnabled(false).build();
        try (SessionPair pair = SessionPair.open(SessionPair.Kind.PIPE, quiet, quiet)) {
            Session client = pair.client();
            Session server = pair.server();
            Stream first = client.openStream();
            client.openStream();
            await().until(() -> server.stats().acceptBacklog() == 2);
            SessionStats backlog = server.stats();
            assertThat(backlog.streamsOpenedByPeer()).isEqualTo(2);
            assertThat(backlog.streamsAccepted()).isZero();
            assertThat(backlog.memoryBudgetBytes()).isGreaterThan(client.stats().memoryBudgetBytes() - 1);
            server.acceptStream();
            server.acceptStream().reset();
            first.reset(3);
            await().until(() -> server.stats().streamsResetReceived() == 1 && client.stats().streamsResetReceived() == 1);
            SessionStats s = server.stats();
            assertThat(s.acceptBacklog()).isZero();
            assertThat(s.streamsResetSent()).isEqualTo(1);
            assertThat(s.streamsReset()).isEqualTo(2);
            assertThat(client.stats().streamsResetSent()).isEqualTo(1);

            Duration rtt = client.ping();
            SessionStats afterPing = client.stats();
            assertThat(afterPing.lastRtt()).isEqualTo(rtt);
            assertThat(afterPing.minRtt()).isPositive().isLessThanOrEqualTo(rtt);

            client.openStream();
            server.acceptStream(); // keeps the draining server up until the client's close
            server.goAway();
            await().until(() -> client.stats().goAwaysReceived().total() == 1);
            assertThat(server.stats().goAwaysSent()).isEqualTo(new SessionStats.GoAwayCounts(1, 0, 0, 0));
            assertThat(client.stats().goAwaysReceived().normal()).isEqualTo(1);
            client.close(2);
            assertThat(client.stats().goAwaysSent()).isEqualTo(new SessionStats.GoAwayCounts(0, 0, 1, 0));
            assertThat(client.stats().memoryBudgetBytes()).isZero();
        }
    }
}

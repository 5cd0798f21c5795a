package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

class ObservabilityTest {

    @Test
    void jfrEventsAreRecordedWhenEnabled() throws Exception {
        Path file = Files.createTempFile("yamux", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.weft.yamux.StreamReset");
            recording.enable("io.weft.yamux.GoAway");
            recording.enable("io.weft.yamux.SessionClosed");
            recording.start();
            try (SessionPair pair = SessionPair.open(SessionPair.Kind.PIPE)) {
                Stream stream = pair.client().openStream();
                Stream accepted = pair.server().acceptStream();
                stream.reset(7);
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> accepted.read(ByteBuffer.allocate(1))))
                        .isInstanceOf(StreamResetException.class);
                pair.server().goAway();
            }
            recording.stop();
            recording.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            assertThat(events).extracting(e -> e.getEventType().getName())
                    .contains("io.weft.yamux.StreamReset", "io.weft.yamux.GoAway", "io.weft.yamux.SessionClosed");
            assertThat(events).filteredOn(e -> e.getEventType().getName().equals("io.weft.yamux.StreamReset"))
                    .anySatisfy(e -> assertThat(e.getLong("code")).isEqualTo(7));
        } finally {
            Files.deleteIfExists(file);
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
}

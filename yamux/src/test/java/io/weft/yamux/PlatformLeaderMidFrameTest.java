package io.weft.yamux;

import static io.weft.yamux.MidFrameFixture.NEXT;
import static io.weft.yamux.MidFrameFixture.PATIENCE;
import static io.weft.yamux.MidFrameFixture.PAYLOAD;
import static io.weft.yamux.MidFrameFixture.dataFrame;
import static io.weft.yamux.MidFrameFixture.failureOf;
import static io.weft.yamux.MidFrameFixture.readOnVirtual;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Conn;
import io.weft.yamux.MidFrameFixture.Cut;
import io.weft.yamux.MidFrameFixture.Wake;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A platform-thread caller that reads the connection itself ({@link SessionReader#lead}) and is
 * woken while a raw peer has sent only part of a frame (part of its header, or its header and
 * part of its payload) and stalls: its read ends promptly with the error that woke it, whatever
 * the peer does (keepalive is off, so nothing else would end it), and once the peer sends the
 * rest, the session reader parses it and the frame after it exactly (no desync).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlatformLeaderMidFrameTest {
    private MidFrameFixture fixture;

    @AfterEach
    void close() throws IOException {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.weft.yamux.MidFrameFixture#cases")
    void aLeaderWokenInsideAFrameLeavesAtOnceAndTheReaderThreadResumesTheFrame(Cut cut, Wake wake) throws Exception {
        fixture = MidFrameFixture.open(2);
        Session client = fixture.client;
        Conn raw = fixture.raw;
        Stream mine = fixture.streams[0];
        Stream other = fixture.streams[1];

        MidFrameFixture.CallerRead caller = fixture.startLeadingRead(Thread.ofPlatform().daemon(), mine, wake);
        byte[] stalled = fixture.stallInside(other.id(), cut);
        if (cut == Cut.BODY) {
            assertThat(client.reader().frameInProgress().remainingBytes()).isEqualTo(PAYLOAD.length - 3);
        }

        MidFrameFixture.wake(wake, mine, caller);

        assertThat(failureOf(caller.read())).isInstanceOf(wake.error);
        if (wake == Wake.INTERRUPT) {
            assertThat(caller.interruptKept().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the interrupt flag is kept").isTrue();
        }

        // The peer sends the rest of the frame and one more: both arrive whole, in order.
        raw.write(ByteBuffer.wrap(stalled, cut.sentBytes, stalled.length - cut.sentBytes));
        raw.write(ByteBuffer.wrap(dataFrame(other.id(), NEXT)));
        assertThat(readOnVirtual(other, PAYLOAD.length + NEXT.length)).isEqualTo("01234567next");
        assertThat(client.isClosed()).isFalse();
        assertThat(client.reader().frameInProgress().active()).isFalse();
    }
}

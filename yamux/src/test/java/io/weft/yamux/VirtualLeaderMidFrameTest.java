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
import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PlatformLeaderMidFrameTest}'s idea for a virtual-thread caller, which leads only on its
 * session's only stream, so the frame a raw peer stalls inside is the leader's own: woken there,
 * its read ends promptly; a deadline that ends it after part of the payload was delivered returns
 * those bytes, as a woken read would have (it returned them as they came), instead of a timeout;
 * and once the peer sends the rest, the reader thread parses it and the next frame exactly.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualLeaderMidFrameTest {
    private MidFrameFixture fixture;

    @AfterEach
    void close() throws IOException {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.weft.yamux.MidFrameFixture#cases")
    void aVirtualLeaderWokenInsideAFrameOfItsOwnStreamLeavesAtOnceAndNothingIsLost(Cut cut, Wake wake) throws Exception {
        fixture = MidFrameFixture.open(1);
        Session client = fixture.client;
        Conn raw = fixture.raw;
        Stream mine = fixture.streams[0];

        MidFrameFixture.CallerRead caller = fixture.startLeadingRead(Thread.ofVirtual(), mine, wake);
        byte[] stalled = fixture.stallInside(mine.id(), cut);

        MidFrameFixture.wake(wake, mine, caller);

        boolean deadline = wake == Wake.OWN_DEADLINE || wake == Wake.DEADLINE_SET;
        int returned = 0;
        if (deadline && cut.deliveredBytes > 0) {
            assertThat(outcome(caller.read())).as("the delivered bytes, not a timeout").isEqualTo(cut.deliveredBytes);
            returned = cut.deliveredBytes;
        } else {
            assertThat(failureOf(caller.read())).isInstanceOf(wake.error);
        }
        if (wake == Wake.INTERRUPT) {
            assertThat(caller.interruptKept().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the interrupt flag is kept").isTrue();
        }

        // The peer sends the rest of the frame and one more: both arrive whole, in order.
        raw.write(ByteBuffer.wrap(stalled, cut.sentBytes, stalled.length - cut.sentBytes));
        if (wake.streamLives()) {
            mine.setReadDeadline(null);
            raw.write(ByteBuffer.wrap(dataFrame(mine.id(), NEXT)));
            String expected = new String(PAYLOAD, returned, PAYLOAD.length - returned, StandardCharsets.US_ASCII) + "next";
            assertThat(readOnVirtual(mine, expected.length())).isEqualTo(expected);
        } else {
            raw.write(ByteBuffer.wrap(FrameHeader.windowUpdate(4, Flags.SYN, 0).toBytes()));
            raw.write(ByteBuffer.wrap(dataFrame(4, NEXT)));
            assertThat(readOnVirtual(client.acceptStream(PATIENCE), NEXT.length)).isEqualTo("next");
        }
        assertThat(client.isClosed()).isFalse();
        assertThat(client.reader().frameInProgress().active()).isFalse();
    }

    private static int outcome(CompletableFuture<Integer> read) throws Exception {
        try {
            return read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the read failed although bytes of its own frame were delivered", e.getCause());
        }
    }
}

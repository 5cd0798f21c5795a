package io.weft.yamux.protocol;

import static io.weft.yamux.protocol.RawPeer.ACK;
import static io.weft.yamux.protocol.RawPeer.FIN;
import static io.weft.yamux.protocol.RawPeer.GO_AWAY;
import static io.weft.yamux.protocol.RawPeer.RST;
import static io.weft.yamux.protocol.RawPeer.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weft.yamux.LimitExceededException;
import io.weft.yamux.MemoryBudget;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import io.weft.yamux.YamuxConfig;
import io.weft.yamux.frame.GoAwayCodes;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Defect 16: sessions sharing a {@link MemoryBudget} are held to it together. A stream that does
 * not fit is refused with RST, a session that does not fit gets GoAway(2) and nothing else, an
 * open that does not fit throws; in each case the sessions and streams already admitted keep
 * working, and what ends gives its charge back.
 */
@Timeout(30)
class MemoryBudgetLimitTest extends RawPeerTestBase {

    private static final YamuxConfig STRICT = strict().build();
    private static final long STREAM = MemoryBudget.builder().build().bytesPerStream(STRICT);

    /** A budget with room for one session and {@code streams} streams. */
    private static MemoryBudget roomFor(int streams) {
        return MemoryBudget.builder().maxBytes(MemoryBudget.SESSION_BYTES + streams * STREAM).build();
    }

    private Stream accept(long id) throws Exception {
        peer.windowUpdate(SYN, id, 0);
        Stream stream = result(async(() -> session.acceptStream()));
        assertThat(Integer.toUnsignedLong(stream.id())).isEqualTo(id);
        stream.setReadDeadline(Instant.now().plus(TIMEOUT));
        peer.await("ACK for " + id, f -> f.streamId() == id && f.has(ACK));
        return stream;
    }

    @Test
    void aStreamBeyondTheBudgetIsRefusedWithRstAndTheOthersKeepWorking() throws Exception {
        MemoryBudget budget = roomFor(2);
        weftServer(strict().memoryBudget(budget).build());
        Stream first = accept(1);
        accept(3);

        peer.windowUpdate(SYN, 5, 0);
        peer.await("RST refusing stream 5", f -> f.streamId() == 5 && f.has(RST));
        assertThat(budget.refusedStreams()).isEqualTo(1);
        assertThat(budget.streams()).isEqualTo(2);

        peer.sendData(0, 1, "still served".getBytes());
        byte[] got = new byte[12];
        assertThat(first.inputStream().readNBytes(got, 0, 12)).isEqualTo(12);
        assertThat(new String(got)).isEqualTo("still served");
        peer.assertAlive(7);
        assertThat(session.isClosed()).isFalse();

        // Stream 1 ends (both FINs, nothing unread): its charge goes back and a new stream fits.
        peer.windowUpdate(FIN, 1, 0);
        first.close();
        peer.await("our FIN on 1", f -> f.streamId() == 1 && f.has(FIN));
        await().atMost(TIMEOUT).until(() -> budget.streams() == 1);
        accept(9);
    }

    @Test
    void aSessionBeyondTheBudgetGetsGoAwayAndTheAdmittedOneKeepsServing() throws Exception {
        // Room for one session with one stream, and 100 KiB: not enough for a second session.
        MemoryBudget budget = MemoryBudget.builder()
                .maxBytes(MemoryBudget.SESSION_BYTES + STREAM + 100 * 1024).build();
        YamuxConfig config = strict().memoryBudget(budget).build();
        Session admitted = weftServer(config);
        RawPeer admittedPeer = peer;
        try {
            Stream stream = accept(1);
            Session refused = weftServer(config); // closed by closeEverything() with its peer
            assertThat(peer.awaitGoAway()).isEqualTo(GoAwayCodes.INTERNAL_ERROR);
            assertThat(peer.seen()).as("GoAway is the only frame").hasSize(1);
            peer.awaitConnectionClosed(TIMEOUT);
            assertThat(refused.isClosed()).isTrue();
            assertThat(refused.closeCause()).isInstanceOf(LimitExceededException.class)
                    .hasMessageContaining("memory budget full (");
            assertThatThrownBy(refused::openStream).isInstanceOf(LimitExceededException.class);
            assertThat(budget.refusedSessions()).isEqualTo(1);
            assertThat(budget.sessions()).isEqualTo(1);

            admittedPeer.sendData(0, 1, "still served".getBytes());
            assertThat(stream.inputStream().readNBytes(12)).asString().isEqualTo("still served");
            admittedPeer.assertAlive(1);
            assertThat(admitted.isClosed()).isFalse();
        } finally {
            admitted.close();
            admittedPeer.close();
        }
    }

    @Test
    void maxSessionsRefusesTheNextSessionWithGoAway() throws Exception {
        MemoryBudget budget = MemoryBudget.builder().maxSessions(1).build();
        YamuxConfig config = strict().memoryBudget(budget).build();
        Session admitted = weftClient(config);
        RawPeer admittedPeer = peer;
        try {
            Session refused = weftClient(config);
            assertThat(peer.awaitGoAway()).isEqualTo(GoAwayCodes.INTERNAL_ERROR);
            assertThat(refused.closeCause()).isInstanceOf(LimitExceededException.class)
                    .hasMessageContaining("maxSessions (1)");
            refused.close();
            peer.close();
            assertThat(budget.sessions()).isEqualTo(1);

            admitted.close();
            assertThat(budget.sessions()).as("an ended session gives its slot back").isZero();
            Session next = weftClient(config);
            peer.assertAlive(2);
            assertThat(next.isClosed()).isFalse();
        } finally {
            admitted.close();
            admittedPeer.close();
        }
    }

    @Test
    void anOpenBeyondTheBudgetThrowsAndTheSessionKeepsWorking() throws Exception {
        MemoryBudget budget = MemoryBudget.builder().maxStreams(1).build();
        weftClient(strict().memoryBudget(budget).build());
        Stream opened = session.openStream();
        peer.await("SYN", f -> f.streamId() == 1 && f.has(SYN));

        assertThatThrownBy(session::openStream).isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("maxStreams (1)");
        peer.assertNone("a second SYN", f -> f.has(SYN) && f.streamId() != 1, QUIET);
        assertThat(session.isClosed()).isFalse();

        opened.reset();
        await().atMost(TIMEOUT).until(() -> budget.streams() == 0);
        session.openStream();
        peer.await("SYN for 3", f -> f.streamId() == 3 && f.has(SYN));
    }

    @Test
    void anEndedSessionGivesBackEverythingItsStreamsHeld() throws Exception {
        MemoryBudget budget = roomFor(3);
        weftServer(strict().memoryBudget(budget).build());
        accept(1);
        Stream unread = accept(3);
        peer.sendData(0, 3, new byte[1000]); // unread data: stream 3 stays charged
        peer.assertAlive(1);
        assertThat(budget.usedBytes()).isEqualTo(MemoryBudget.SESSION_BYTES + 2 * STREAM);

        session.close();
        assertThat(budget.usedBytes()).isZero();
        assertThat(budget.sessions()).isZero();
        assertThat(budget.streams()).isZero();
        unread.close(); // a late release from a stream of the ended session changes nothing
        assertThat(budget.usedBytes()).isZero();
    }

    @Test
    void everySessionSharesTheProcessBudgetByDefault() {
        assertThat(YamuxConfig.defaults().memoryBudget()).isSameAs(MemoryBudget.processDefault());
        assertThat(MemoryBudget.processDefault().maxBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 2);
        assertThat(STREAM).isEqualTo(256 * 1024 + MemoryBudget.STREAM_OVERHEAD_BYTES);
    }
}

package io.weft.yamux;

import static io.weft.yamux.StreamState.CLOSED;
import static io.weft.yamux.StreamState.ESTABLISHED;
import static io.weft.yamux.StreamState.INIT;
import static io.weft.yamux.StreamState.LOCAL_CLOSE;
import static io.weft.yamux.StreamState.REMOTE_CLOSE;
import static io.weft.yamux.StreamState.RESET;
import static io.weft.yamux.StreamState.SYN_RECEIVED;
import static io.weft.yamux.StreamState.SYN_SENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.yamux.frame.Flags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class StreamStateTest {

    @ParameterizedTest(name = "{0} + received {1} -> {2}")
    @CsvSource({
        // state, flags received, expected state
        "SYN_SENT, 2, ESTABLISHED", // ACK
        "SYN_SENT, 4, REMOTE_CLOSE", // FIN before ACK
        "SYN_SENT, 6, REMOTE_CLOSE", // ACK|FIN (rust closes an untouched inbound stream this way)
        "SYN_SENT, 8, RESET", // refused
        "SYN_SENT, 10, RESET", // ACK|RST
        "SYN_RECEIVED, 4, REMOTE_CLOSE",
        "SYN_RECEIVED, 2, SYN_RECEIVED", // stray ACK ignored
        "ESTABLISHED, 0, ESTABLISHED",
        "ESTABLISHED, 2, ESTABLISHED", // duplicate ACK ignored
        "ESTABLISHED, 4, REMOTE_CLOSE",
        "ESTABLISHED, 8, RESET",
        "ESTABLISHED, 12, RESET", // FIN|RST: RST wins
        "LOCAL_CLOSE, 4, CLOSED",
        "LOCAL_CLOSE, 2, LOCAL_CLOSE", // ACK after we closed before it arrived
        "LOCAL_CLOSE, 6, CLOSED",
        "LOCAL_CLOSE, 8, RESET",
        "REMOTE_CLOSE, 4, REMOTE_CLOSE", // duplicate FIN ignored (hashicorp kills the session)
        "REMOTE_CLOSE, 8, RESET",
        "CLOSED, 4, CLOSED", // late FIN ignored
        "CLOSED, 8, CLOSED", // late RST after a clean close changes nothing
        "RESET, 4, RESET",
        "RESET, 8, RESET",
        "ESTABLISHED, 65520, ESTABLISHED", // only unknown bits: ignored
        "ESTABLISHED, 65524, REMOTE_CLOSE", // FIN among unknown bits
    })
    void receivedFlagsMoveTheStateAsTheSpecSays(StreamState state, int flags, StreamState expected) {
        assertThat(state.afterReceived(flags)).isEqualTo(expected);
    }

    @Test
    void localActionsMoveTheState() {
        assertThat(INIT.afterSynSent()).isEqualTo(SYN_SENT);
        assertThat(SYN_SENT.afterSynSent()).isEqualTo(SYN_SENT);
        assertThat(SYN_RECEIVED.afterAccept()).isEqualTo(ESTABLISHED);
        assertThat(REMOTE_CLOSE.afterAccept()).isEqualTo(REMOTE_CLOSE);
        assertThat(SYN_SENT.afterFinSent()).isEqualTo(LOCAL_CLOSE);
        assertThat(ESTABLISHED.afterFinSent()).isEqualTo(LOCAL_CLOSE);
        assertThat(REMOTE_CLOSE.afterFinSent()).isEqualTo(CLOSED);
        assertThat(LOCAL_CLOSE.afterFinSent()).isEqualTo(LOCAL_CLOSE);
        assertThat(ESTABLISHED.afterResetSent()).isEqualTo(RESET);
        assertThat(CLOSED.afterResetSent()).isEqualTo(CLOSED);
    }

    @ParameterizedTest
    @EnumSource(StreamState.class)
    void attributesAreConsistent(StreamState state) {
        assertThat(state.canWrite()).isEqualTo(state.canSendFin());
        if (state.isTerminal()) {
            assertThat(state.canWrite()).isFalse();
            assertThat(state.peerMaySend()).isFalse();
        }
        // No received flag combination ever leaves a terminal state or resurrects a stream.
        for (int flags = 0; flags < 16; flags++) {
            StreamState next = state.afterReceived(flags);
            if (state.isTerminal()) {
                assertThat(next).isEqualTo(state);
            }
            if (!state.peerMaySend()) {
                assertThat(next.peerMaySend()).isFalse();
            }
        }
    }

    @Test
    void halfClosedStatesKeepTheOtherDirection() {
        assertThat(LOCAL_CLOSE.peerMaySend()).isTrue();
        assertThat(LOCAL_CLOSE.canWrite()).isFalse();
        assertThat(REMOTE_CLOSE.peerMaySend()).isFalse();
        assertThat(REMOTE_CLOSE.canWrite()).isTrue();
        assertThat(SYN_SENT.canWrite()).as("data may follow the SYN before the ACK").isTrue();
        assertThat(Flags.KNOWN).isEqualTo(15);
    }
}

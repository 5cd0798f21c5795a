package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.yamux.MemoryBudget;
import io.weft.yamux.YamuxConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --max-sessions} and {@code --max-streams}: the process budget of echo and tunnel, and its defaults from the heap. */
@Timeout(10)
class LimitOptionsTest {

    private static final long GIB = 1024L * 1024 * 1024;

    @Test
    void defaultsComeFromTheHeap() {
        MemoryBudget budget = new LimitOptions().budget(YamuxConfig.defaults(), GIB);
        assertThat(budget.maxBytes()).isEqualTo(GIB / 2);
        assertThat(budget.extraBytesPerStream()).isEqualTo(LimitOptions.CLI_BYTES_PER_STREAM);
        // 256 KiB window + 72 KiB library overhead + 72 KiB for the command = 400 KiB a stream.
        assertThat(budget.bytesPerStream(YamuxConfig.defaults())).isEqualTo(400 * 1024);
        assertThat(budget.maxStreams()).isEqualTo(1310);
        assertThat(budget.maxSessions()).isEqualTo(819);
    }

    @Test
    void aLargerWindowMeansFewerStreams() {
        YamuxConfig wide = YamuxConfig.builder().streamWindowBytes(1024 * 1024).build();
        assertThat(new LimitOptions().budget(wide, GIB).maxStreams()).isEqualTo(GIB / 2 / (1168 * 1024));
    }

    @Test
    void explicitCapsWinAndBelowOneIsAUsageError() {
        LimitOptions options = new LimitOptions();
        options.maxSessions = 3;
        options.maxStreams = 50;
        MemoryBudget budget = options.budget(YamuxConfig.defaults(), GIB);
        assertThat(budget.maxSessions()).isEqualTo(3);
        assertThat(budget.maxStreams()).isEqualTo(50);
        assertThat(budget.maxBytes()).isEqualTo(GIB / 2);

        options.maxStreams = 0;
        assertThatThrownBy(() -> options.budget(YamuxConfig.defaults(), GIB)).hasMessageContaining("--max-streams");
        options.maxStreams = null;
        options.maxSessions = 0;
        assertThatThrownBy(() -> options.budget(YamuxConfig.defaults(), GIB)).hasMessageContaining("--max-sessions");
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code weft demo}, the README's first command, as a process. */
class DemoEndToEndTest {

    @Test
    void shortDemoVerifiesEveryByteAndExitsZero() throws Exception {
        WeftProcess demo = WeftProcess.run(Duration.ofSeconds(45), "demo", "--duration", "3s");
        demo.assertExit(0, Duration.ofSeconds(45));
        assertThat(demo.stdout())
                .contains("weft demo: ", "of yamux over loopback TCP")
                .containsPattern("bulk stream +[0-9.]+ [KMG]iB echoed")
                .containsPattern("requests +[1-9][0-9,]*")
                .contains("p50", "p99", "streams opened", "ping RTT")
                // The probe ran alone, then beside the load, and both figures are printed.
                .containsPattern("latency probe +64 B, 1 at a time +idle p50 [0-9.]+ [mµ]?s +p99 [0-9.]+ [mµ]?s"
                        + " +loaded p50 [0-9.]+ [mµ]?s +p99 [0-9.]+ [mµ]?s")
                .containsPattern("bytes verified +[0-9.]+ [KMG]iB")
                .contains("0 mismatches")
                .contains("OK: every byte verified.");
        // Not a terminal here: progress is plain lines on stderr, one a second, no escape codes.
        assertThat(demo.stderr()).contains("bulk ").doesNotContain("\033[");
    }
}

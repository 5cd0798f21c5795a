package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void helpExitsZero() {
        assertThat(Main.run("--help")).isZero();
    }

    @Test
    void unknownOptionIsUsageError() {
        assertThat(Main.run("--no-such-flag")).isEqualTo(2);
    }
}

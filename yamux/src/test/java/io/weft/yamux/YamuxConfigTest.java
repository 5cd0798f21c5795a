package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class YamuxConfigTest {

    @Test
    void defaultsMatchHashicorpDefaultConfigPlusWeftLimits() {
        YamuxConfig config = YamuxConfig.defaults();
        assertThat(config.acceptBacklog()).isEqualTo(256);
        assertThat(config.keepAliveEnabled()).isTrue();
        assertThat(config.keepAliveInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.connectionWriteTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.streamWindowBytes()).isEqualTo(256 * 1024);
        assertThat(config.streamOpenTimeout()).isEqualTo(Duration.ofSeconds(75));
        assertThat(config.streamCloseTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.maxUnackedOutboundStreams()).isEqualTo(256);
        assertThat(config.maxInboundStreams()).isEqualTo(1000);
        assertThat(config.maxDataFrameBytes()).isEqualTo(64 * 1024);
        assertThat(config.windowAutoTuning()).isTrue();
        assertThat(config.maxAutoTunedWindowBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(config.autoTuneBudgetBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(config.pingBacklog()).isEqualTo(32);
        assertThat(config.threadFactory().newThread(() -> { }).isVirtual()).isTrue();
        assertThat(config.notSentLowWaterBytes()).isEqualTo(128 * 1024);
    }

    @Test
    void notSentLowWaterBytesMayBeZeroButNotNegative() {
        assertThat(YamuxConfig.builder().notSentLowWaterBytes(0).build().notSentLowWaterBytes()).isZero();
        assertThat(YamuxConfig.defaults().toBuilder().notSentLowWaterBytes(4096).build().notSentLowWaterBytes())
                .isEqualTo(4096);
        assertThatThrownBy(() -> YamuxConfig.builder().notSentLowWaterBytes(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("notSentLowWaterBytes");
    }

    @Test
    void builderChangesOnlyWhatItIsTold() {
        YamuxConfig config = YamuxConfig.builder().acceptBacklog(8).keepAliveEnabled(false).build();
        assertThat(config.acceptBacklog()).isEqualTo(8);
        assertThat(config.keepAliveEnabled()).isFalse();
        assertThat(config.connectionWriteTimeout()).isEqualTo(Duration.ofSeconds(10));
        YamuxConfig copy = config.toBuilder().pingBacklog(4).build();
        assertThat(copy.acceptBacklog()).isEqualTo(8);
        assertThat(copy.pingBacklog()).isEqualTo(4);
    }

    @Test
    void maxDataFrameBytesIsCappedAtOneMebibyteAsRustYamuxRequires() {
        // Issue 13 defect 11: rust-yamux refuses data frames over 1 MiB.
        assertThat(YamuxConfig.builder().maxDataFrameBytes(1024 * 1024).build().maxDataFrameBytes())
                .isEqualTo(1024 * 1024);
        assertThatThrownBy(() -> YamuxConfig.builder().maxDataFrameBytes(1024 * 1024 + 1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxDataFrameBytes")
                .hasMessageContaining("1048576");
        assertThatThrownBy(() -> YamuxConfig.builder().maxDataFrameBytes(16 * 1024 * 1024).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validationNamesTheBadOption() {
        assertThatThrownBy(() -> YamuxConfig.builder().acceptBacklog(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acceptBacklog");
        assertThatThrownBy(() -> YamuxConfig.builder().streamWindowBytes(1000).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("streamWindowBytes");
        assertThatThrownBy(() -> YamuxConfig.builder().streamWindowBytes(1 << 20).maxAutoTunedWindowBytes(1 << 19)
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAutoTunedWindowBytes");
        assertThatThrownBy(() -> YamuxConfig.builder().keepAliveInterval(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keepAliveInterval");
        assertThatThrownBy(() -> YamuxConfig.builder().connectionWriteTimeout(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectionWriteTimeout");
        assertThatThrownBy(() -> YamuxConfig.builder().streamCloseTimeout(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("streamCloseTimeout");
        assertThatThrownBy(() -> YamuxConfig.builder().maxDataFrameBytes(100).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDataFrameBytes");
        assertThatThrownBy(() -> YamuxConfig.builder().autoTuneBudgetBytes(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("autoTuneBudgetBytes");
        assertThatThrownBy(() -> YamuxConfig.builder().threadFactory(null).build())
                .isInstanceOf(NullPointerException.class);
        assertThat(YamuxConfig.builder().streamOpenTimeout(Duration.ZERO).build().streamOpenTimeout()).isZero();
    }
}

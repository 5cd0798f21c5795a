package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void emptyHistogramReportsZero() {
        assertThat(new LatencyHistogram().percentile(99)).isEqualTo(Duration.ZERO);
    }

    @Test
    void bucketsCoverEveryValueWithoutGapsOrOverlap() {
        for (long micros = 0; micros < 1 << 20; micros++) {
            int i = LatencyHistogram.index(micros);
            assertThat(LatencyHistogram.upperBoundMicros(i)).isGreaterThanOrEqualTo(micros);
            if (i > 0) {
                assertThat(LatencyHistogram.upperBoundMicros(i - 1)).isLessThan(micros);
            }
        }
    }

    @Test
    void percentilesAreWithinThreePercentOfTheExactValue() {
        SplittableRandom random = new SplittableRandom(7);
        LatencyHistogram h = new LatencyHistogram();
        long[] values = new long[100_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) (Math.exp(random.nextDouble() * 12) * 1_000); // 1 µs .. 160 ms, log-uniform
            h.record(values[i]);
        }
        Arrays.sort(values);
        for (double p : new double[] {50, 90, 99, 99.9}) {
            long exactMicros = values[(int) Math.ceil(p / 100 * values.length) - 1] / 1_000;
            long reportedMicros = h.percentile(p).toNanos() / 1_000;
            assertThat((double) reportedMicros).as("p%s", p).isBetween(exactMicros * 0.97, exactMicros * 1.03 + 1);
        }
        assertThat(h.count()).isEqualTo(values.length);
    }
}

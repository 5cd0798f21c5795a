package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({
        "30s, PT30S",
        "5m, PT5M",
        "1m30s, PT1M30S",
        "500ms, PT0.5S",
        "1.5h, PT1H30M",
        "2h45m10s, PT2H45M10S",
        "250us, PT0.00025S",
        "250µs, PT0.00025S",
        "7ns, PT0.000000007S",
        "0, PT0S",
        "0s, PT0S",
        "1d, PT24H",
        "PT30S, PT30S",
        "pt1m, PT1M",
        "+10s, PT10S",
        "0.1s, PT0.1S"
    })
    void parsesGoAndIsoSyntax(String text, String iso) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.parse(iso));
    }

    /** Integers take a long-arithmetic path, fractions BigDecimal's: the two agree up to the limits. */
    @ParameterizedTest
    @ValueSource(strings = {"30s", "999999999999999999ns", "123456789012345678ms", "987654321us",
        "106751991167300d", "2562047788015215h", "153722867280912930m", "9223372036854775s"})
    void integersParseAsTheSameNumberWrittenWithAFraction(String text) {
        int unit = text.replaceAll("[0-9]", "").length();
        String withFraction = text.substring(0, text.length() - unit) + ".0" + text.substring(text.length() - unit);
        assertThat(GoDuration.parse(text)).isEqualTo(GoDuration.parse(withFraction));
    }

    @ParameterizedTest
    @ValueSource(strings = {"106751991167301d", "2562047788015216h", "9223372036854775808s",
        "1000000000000000000000000d"})
    void beyondDurationsRangeIsOutOfRangeOnEitherPath(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text)).hasMessageContaining("out of range");
        int unit = text.replaceAll("[0-9]", "").length();
        String withFraction = text.substring(0, text.length() - unit) + ".0" + text.substring(text.length() - unit);
        assertThatThrownBy(() -> GoDuration.parse(withFraction)).hasMessageContaining("out of range");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "s", "5x", "-5s", "1..5s", "5s3", "PT", "PTXS", "-PT5S", "1e3s", "ms"})
    void rejectsBadInputWithOneClearLine(String text) {
        assertThatThrownBy(() -> new GoDuration().convert(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("invalid duration '" + text + "'")
                .hasMessageContaining("30s")
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @CsvSource({
        "PT0S, 0s",
        "PT0.000000007S, 7ns",
        "PT0.0015S, 1.5ms",
        "PT0.00025S, 250µs",
        "PT0.5S, 500ms",
        "PT30S, 30s",
        "PT1M30S, 1m30s",
        "PT1.25S, 1.25s",
        "PT2H, 2h0m0s",
        "PT1H1M1S, 1h1m1s"
    })
    void formatsLikeGo(String iso, String go) {
        assertThat(GoDuration.format(Duration.parse(iso))).isEqualTo(go);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1m30s", "500ms", "2h0m0s", "1.5s", "7ns", "250µs"})
    void formatThenParseIsIdentity(String text) {
        assertThat(GoDuration.format(GoDuration.parse(text))).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "no reply to a keepalive ping within PT1S | no reply to a keepalive ping within 1s",
        "no ping reply within PT0.25S; retried after PT1M30S | no ping reply within 250ms; retried after 1m30s",
        "took PT2H | took 2h0m0s",
        "APT1S and PT and PTS stay | APT1S and PT and PTS stay"
    })
    void isoDurationsInsideMessagesAreRewrittenGoStyle(String message, String expected) {
        assertThat(GoDuration.formatIn(message)).isEqualTo(expected);
    }
}

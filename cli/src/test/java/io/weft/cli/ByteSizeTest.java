package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "4096, 4096",
        "64KiB, 65536",
        "64kib, 65536",
        "64K, 65536",
        "1.5MiB, 1572864",
        "16MiB, 16777216",
        "1GiB, 1073741824",
        "2TiB, 2199023255552",
        "10MB, 10000000",
        "1kB, 1000",
        "512B, 512",
        "64 KiB, 65536",
        "8388607TiB, 9223370937343148032",
        "9223372036854775807, 9223372036854775807",
        "9223372036854775807.0, 9223372036854775807"
    })
    void parsesBinaryAndDecimalUnits(String text, long bytes) {
        assertThat(ByteSize.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "KiB", "-1", "12XB", "1.2.3KiB", "99999999999TiB", "8388608TiB", "9223372036854775808", "9223372036854775808.0"})
    void rejectsBadInputWithOneClearLine(String text) {
        assertThatThrownBy(() -> new ByteSize().convert(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("invalid size '" + text + "'")
                .hasMessageContaining("64KiB");
    }

    @ParameterizedTest
    @CsvSource({"0, 0 B", "1023, 1023 B", "1024, 1.00 KiB", "1572864, 1.50 MiB", "16777216, 16.0 MiB",
            "1073741824, 1.00 GiB", "214748364800, 200 GiB"})
    void formatsWithBinaryUnits(long bytes, String text) {
        assertThat(ByteSize.format(bytes)).isEqualTo(text);
    }
}

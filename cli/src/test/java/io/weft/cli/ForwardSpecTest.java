package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

/** {@code --forward [BIND:]PORT:HOST:HOSTPORT}, ssh -L syntax. */
@Timeout(10)
class ForwardSpecTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "8080:db:5432 | 127.0.0.1:8080 | db:5432",
        "0.0.0.0:8080:db:5432 | 0.0.0.0:8080 | db:5432",
        "*:8080:db:5432 | :8080 | db:5432",
        ":8080:db:5432 | :8080 | db:5432",
        "[::1]:8080:[2001:db8::7]:22 | [::1]:8080 | [2001:db8::7]:22",
        "localhost:0:10.0.0.1:80 | localhost:0 | 10.0.0.1:80"
    })
    void parsesTheSshForms(String text, String listen, String target) {
        ForwardSpec f = ForwardSpec.parse(text);
        assertThat(f.listen().toString()).isEqualTo(listen);
        assertThat(f.target().toString()).isEqualTo(target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8080", "8080:db", "8080:db:0", "8080:db:http", "x:8080:db:1:2", "99999:db:1",
            "8080:::1:22", "8080:bad host:1", "/tmp/s:1:db:1", "8080:[::1:22"})
    void badSpecsAreOneLineUsageErrors(String text) {
        assertThatThrownBy(() -> new ForwardSpec.Converter().convert(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageStartingWith("invalid --forward '" + text + "'")
                .hasMessageNotContaining("\n");
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class AddressTest {

    @ParameterizedTest
    @CsvSource({
        "localhost:80, tcp, localhost:80",
        "127.0.0.1:7000, tcp, 127.0.0.1:7000",
        ":7000, tcp, :7000",
        "7000, tcp, :7000",
        "[::1]:7000, tcp, [::1]:7000",
        "example.com:0, tcp, example.com:0",
        "unix:/tmp/a.sock, unix, /tmp/a.sock",
        "/tmp/a.sock, unix, /tmp/a.sock",
        "./a.sock, unix, ./a.sock",
        "unix:rel.sock, unix, rel.sock"
    })
    void parsesEveryAcceptedForm(String text, String network, String address) {
        assertThat(Address.parse(text)).isEqualTo(new Address(network, address));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "host:", "host:http", "host:70000", "::1:80", "[::1]80", "[::1]:",
            "[]:80", "unix:", "ho st:80", "host:-1"})
    void rejectsBadAddressesWithOneClearLine(String text) {
        assertThatThrownBy(() -> new Address.Converter().convert(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageStartingWith("invalid address '" + text + "'")
                .hasMessageNotContaining("\n");
    }

    @Test
    void emptyHostDialsThisMachine() {
        assertThat(Address.parse(":7000").forDial()).isEqualTo(new Address("tcp", "127.0.0.1:7000"));
        assertThat(Address.parse("db:5432").forDial()).isEqualTo(new Address("tcp", "db:5432"));
    }

    @Test
    void stdioHostAndPortJoinLikeNetcat() {
        assertThat(Address.tcp("localhost", "80")).isEqualTo(new Address("tcp", "localhost:80"));
        assertThat(Address.tcp("", "8080")).isEqualTo(new Address("tcp", ":8080"));
        assertThat(Address.tcp("::1", "80")).isEqualTo(new Address("tcp", "[::1]:80"));
        assertThat(Address.tcp("[::1]", "80")).isEqualTo(new Address("tcp", "[::1]:80"));
        assertThatThrownBy(() -> Address.tcp("localhost", "eighty")).hasMessageContaining("not a number");
    }

    @Test
    void boundSocketAddressesPrintInParseableForm() {
        assertThat(Address.of(new InetSocketAddress("127.0.0.1", 7000))).isEqualTo(Address.parse("127.0.0.1:7000"));
        assertThat(Address.of(new InetSocketAddress("::1", 7000))).isEqualTo(Address.parse("[::1]:7000"));
        assertThat(Address.of(UnixDomainSocketAddress.of("/tmp/x.sock")).toString()).isEqualTo("unix:/tmp/x.sock");
    }

    @Test
    void logLinesPrintPeersAsGoDoesNeverWithTheJdksSlash() throws Exception {
        assertThat(Address.text(new InetSocketAddress("127.0.0.1", 80))).isEqualTo("127.0.0.1:80");
        assertThat(Address.text(new InetSocketAddress(java.net.InetAddress.getByName("0:0:0:0:0:0:0:1"), 8080)))
                .isEqualTo("[::1]:8080");
        assertThat(Address.text(new InetSocketAddress(java.net.InetAddress.getByAddress(new byte[16]), 7000)))
                .isEqualTo("[::]:7000");
        assertThat(Address.text(UnixDomainSocketAddress.of(""))).isEqualTo("unix socket peer");
        assertThat(Address.text(null)).isEqualTo("unix socket peer");
    }

    @ParameterizedTest
    @CsvSource({
        "::1, ::1",
        "::, ::",
        "2001:db8::1, 2001:db8::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "fe80:0:0:0:0:0:0:0, fe80::",
        "1:0:2:3:4:5:6:7, 1:0:2:3:4:5:6:7"
    })
    void ipv6IsPrintedInShortForm(String in, String expected) throws Exception {
        assertThat(Address.compressIpv6(java.net.InetAddress.getByName(in).getAddress())).isEqualTo(expected);
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

/** {@code --allow} patterns: names match the requested name, addresses and CIDR blocks the dialled address. */
@Timeout(10)
class AllowListTest {

    private static AllowList allow(String... patterns) {
        return new AllowList(Arrays.stream(patterns).map(AllowList.Rule::parse).toList());
    }

    private static InetAddress ip(String literal) {
        return new Destination(literal, 0).literal();
    }

    @Test
    void emptyRefusesEverything() {
        AllowList none = new AllowList(List.of());
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.permitsName("localhost", 80)).isFalse();
        assertThat(none.permitsAddress(ip("127.0.0.1"), 80)).isFalse();
        assertThat(none.hasAddressRulesFor(80)).isFalse();
    }

    @Test
    void namesAndSuffixesMatchTheRequestedNameOnly() {
        AllowList a = allow("*.internal:443", "db:5432");
        assertThat(a.permitsName("api.internal", 443)).isTrue();
        assertThat(a.permitsName("x.API.Internal.", 443)).isTrue();
        assertThat(a.permitsName("internal", 443)).isFalse();
        assertThat(a.permitsName("evilinternal", 443)).isFalse();
        assertThat(a.permitsName("api.internal", 80)).isFalse();
        assertThat(a.permitsName("db", 5432)).isTrue();
        assertThat(a.permitsName("db2", 5432)).isFalse();
        assertThat(a.permitsAddress(ip("10.0.0.1"), 5432)).as("a name rule says nothing about addresses").isFalse();
        assertThat(a.hasAddressRulesFor(5432)).isFalse();
    }

    @Test
    void cidrBlocksMatchAddressesOfTheirFamily() {
        AllowList a = allow("10.0.0.0/8:*", "[::1]:22", "[fd00::]/8:1000-2000", "192.168.1.7:80");
        assertThat(a.permitsAddress(ip("10.255.1.2"), 1)).isTrue();
        assertThat(a.permitsAddress(ip("11.0.0.0"), 1)).isFalse();
        assertThat(a.permitsAddress(ip("::1"), 22)).isTrue();
        assertThat(a.permitsAddress(ip("::1"), 23)).isFalse();
        assertThat(a.permitsAddress(ip("::2"), 22)).isFalse();
        assertThat(a.permitsAddress(ip("fdab::5"), 1500)).isTrue();
        assertThat(a.permitsAddress(ip("fdab::5"), 2001)).isFalse();
        assertThat(a.permitsAddress(ip("fe00::5"), 1500)).isFalse();
        assertThat(a.permitsAddress(ip("192.168.1.7"), 80)).isTrue();
        assertThat(a.permitsAddress(ip("192.168.1.8"), 80)).isFalse();
        assertThat(a.permitsName("10.0.0.1", 80)).as("addresses are not names").isFalse();
        assertThat(a.hasAddressRulesFor(80)).isTrue();
    }

    @Test
    void ipv4MappedIpv6AddressesAreTheirIpv4Address() {
        // The JDK turns ::ffff:a.b.c.d into the IPv4 address it dials: patterns and requests both.
        AllowList v4 = allow("10.0.0.0/8:*");
        assertThat(v4.permitsAddress(ip("::ffff:10.1.2.3"), 80)).isTrue();
        assertThat(v4.permitsAddress(ip("::ffff:127.0.0.1"), 80)).isFalse();
        assertThat(allow("[::]/0:*").permitsAddress(ip("::ffff:127.0.0.1"), 80))
                .as("all of IPv6 does not include the IPv4 addresses it can spell").isFalse();
        AllowList mapped = allow("[::ffff:10.0.0.0]/104:*", "[::ffff:192.168.1.7]:80");
        assertThat(mapped.permitsAddress(ip("10.9.9.9"), 1)).isTrue();
        assertThat(mapped.permitsAddress(ip("::ffff:10.9.9.9"), 1)).isTrue();
        assertThat(mapped.permitsAddress(ip("11.0.0.1"), 1)).isFalse();
        assertThat(mapped.permitsAddress(ip("192.168.1.7"), 80)).isTrue();
        assertThat(mapped.permitsAddress(ip("192.168.1.8"), 80)).isFalse();
        assertThatThrownBy(() -> allow("[::ffff:10.0.0.0]/95:*"))
                .hasMessageContaining("an IPv4-mapped block needs a prefix of 96 to 128");
    }

    @Test
    void starMatchesEverythingOnItsPorts() {
        AllowList a = allow("*:443");
        assertThat(a.permitsName("anything.example", 443)).isTrue();
        assertThat(a.permitsAddress(ip("::1"), 443)).isTrue();
        assertThat(a.permitsAddress(ip("::1"), 444)).isFalse();
        assertThat(allow("[fd00::/8]:*").permitsAddress(ip("fd00::1"), 9)).isTrue();
        assertThat(allow("0.0.0.0/0:*").permitsAddress(ip("8.8.8.8"), 53)).isTrue();
        assertThat(allow("0.0.0.0/0:*").permitsAddress(ip("::1"), 53)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"db", "db:", "db:http", "db:70000", "db:9-3", "::1:22", "[::1]", "10.0.0.0/33:*",
            "db/8:*", "a*b:1", "*.:1", "ho st:1", "[::1]/129:1", ":80"})
    void badPatternsAreOneLineUsageErrors(String text) {
        assertThatThrownBy(() -> new AllowList.RuleConverter().convert(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageStartingWith("invalid --allow pattern '" + text + "'")
                .hasMessageNotContaining("\n");
    }
}

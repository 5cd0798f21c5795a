package io.weft.netpoll.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AddressesTest {

    @ParameterizedTest
    @CsvSource({
        "::1, ::1",
        "::, ::",
        "0:0:0:0:0:0:0:1, ::1",
        "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "fe80:0:0:0:0:0:0:0, fe80::",
        "2001:DB8:AAAA:0:0:0:0:0, 2001:db8:aaaa::"
    })
    void ipv6IsPrintedInRfc5952Form(String in, String expected) throws Exception {
        assertThat(Addresses.ipv6(InetAddress.getByName(in).getAddress())).isEqualTo(expected);
    }

    @Test
    void socketAddressesArePrintedAsGoPrintsThem() throws Exception {
        assertThat(Addresses.format(new InetSocketAddress("127.0.0.1", 80))).isEqualTo("127.0.0.1:80");
        assertThat(Addresses.format(new InetSocketAddress("::1", 8080))).isEqualTo("[::1]:8080");
        assertThat(Addresses.format(new InetSocketAddress(InetAddress.getByAddress(new byte[16]), 7000)))
                .isEqualTo("[::]:7000");
        assertThat(Addresses.format(new InetSocketAddress("::ffff:10.0.0.1", 1))).isEqualTo("10.0.0.1:1");
        assertThat(Addresses.format(new InetSocketAddress("fe80::1%1", 22))).isEqualTo("[fe80::1]:22");
        assertThat(Addresses.format(UnixDomainSocketAddress.of("/run/x.sock"))).isEqualTo("/run/x.sock");
        assertThat(Addresses.format(null)).isEmpty();
    }
}

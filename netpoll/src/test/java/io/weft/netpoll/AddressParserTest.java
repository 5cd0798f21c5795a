package io.weft.netpoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.netpoll.AddressParser.HostPort;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.Test;

class AddressParserTest {

    @Test
    void networksAreCheckedAndLowerCased() {
        assertThat(AddressParser.network("TCP")).isEqualTo("tcp");
        assertThat(AddressParser.network("unix")).isEqualTo("unix");
        assertThatThrownBy(() -> AddressParser.network("udp"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown network \"udp\"; want tcp, tcp4, tcp6 or unix");
        assertThatThrownBy(() -> AddressParser.network(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hostPortFormsSplitLikeGo() {
        assertThat(AddressParser.splitHostPort("example.com:80")).isEqualTo(new HostPort("example.com", 80));
        assertThat(AddressParser.splitHostPort(":8080")).isEqualTo(new HostPort("", 8080));
        assertThat(AddressParser.splitHostPort("[::1]:9000")).isEqualTo(new HostPort("::1", 9000));
        assertThat(AddressParser.splitHostPort("[fe80::1%eth0]:1")).isEqualTo(new HostPort("fe80::1%eth0", 1));
        assertThat(AddressParser.splitHostPort("127.0.0.1:0")).isEqualTo(new HostPort("127.0.0.1", 0));
    }

    @Test
    void inetSocketAddressTextIsAccepted() {
        assertThat(AddressParser.splitHostPort("localhost/127.0.0.1:5000")).isEqualTo(new HostPort("127.0.0.1", 5000));
        assertThat(AddressParser.splitHostPort(new InetSocketAddress("127.0.0.1", 7).toString()))
                .isEqualTo(new HostPort("127.0.0.1", 7));
    }

    @Test
    void malformedAddressesSayWhatIsWrong() {
        assertThatThrownBy(() -> AddressParser.splitHostPort("localhost"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("address localhost: missing port in address");
        assertThatThrownBy(() -> AddressParser.splitHostPort("::1:80"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too many colons");
        assertThatThrownBy(() -> AddressParser.splitHostPort("[::1:80"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing ']'");
        assertThatThrownBy(() -> AddressParser.splitHostPort("[::1]80"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing port");
        assertThatThrownBy(() -> AddressParser.splitHostPort("host:http"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid port \"http\"");
        assertThatThrownBy(() -> AddressParser.splitHostPort("host:65536"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid port");
        assertThatThrownBy(() -> AddressParser.splitHostPort("host:-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid port");
    }

    @Test
    void listenWithoutHostUsesTheFamilyWildcard() throws Exception {
        InetSocketAddress v4 = (InetSocketAddress) AddressParser.listenAddress("tcp4", ":80");
        assertThat(v4.getAddress()).isInstanceOf(Inet4Address.class);
        assertThat(v4.getAddress().isAnyLocalAddress()).isTrue();
        InetSocketAddress v6 = (InetSocketAddress) AddressParser.listenAddress("tcp6", ":80");
        assertThat(v6.getAddress()).isInstanceOf(Inet6Address.class);
        assertThat(v6.getAddress().isAnyLocalAddress()).isTrue();
        assertThat(((InetSocketAddress) AddressParser.listenAddress("tcp", ":0")).getAddress().isAnyLocalAddress()).isTrue();
    }

    @Test
    void listenWithoutHostOnTcpIsTheIpv6WildcardWhenIpv6Exists() throws Exception {
        boolean ipv6;
        try (var probe = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.INET6)) {
            ipv6 = probe.isOpen();
        } catch (UnsupportedOperationException noIpv6) {
            ipv6 = false;
        }
        InetSocketAddress any = (InetSocketAddress) AddressParser.listenAddress("tcp", ":7000");
        assertThat(any.getAddress()).isInstanceOf(ipv6 ? Inet6Address.class : Inet4Address.class);
        assertThat(any.getPort()).isEqualTo(7000);
    }

    @Test
    void dialWithoutHostGoesToLoopback() throws Exception {
        assertThat(AddressParser.dialAddresses("tcp", ":81")).containsExactly(new InetSocketAddress("127.0.0.1", 81));
        assertThat(AddressParser.dialAddresses("tcp6", ":81")).containsExactly(new InetSocketAddress("::1", 81));
    }

    @Test
    void familyFiltersResolvedAddresses() throws Exception {
        assertThatThrownBy(() -> AddressParser.dialAddresses("tcp6", "127.0.0.1:1"))
                .hasMessageContaining("no IPv6 address for host 127.0.0.1");
        assertThat(AddressParser.dialAddresses("tcp4", "127.0.0.1:1")).hasSize(1);
    }

    @Test
    void unknownHostsSayNoSuchHostLikeGo() {
        assertThatThrownBy(() -> AddressParser.dialAddresses("tcp", "no-such-host.invalid:80"))
                .isInstanceOf(java.net.UnknownHostException.class)
                .hasMessage("lookup no-such-host.invalid: no such host");
    }

    @Test
    void unixAddressesArePaths() throws Exception {
        assertThat(AddressParser.listenAddress("unix", "/tmp/a.sock")).isEqualTo(UnixDomainSocketAddress.of("/tmp/a.sock"));
        assertThatThrownBy(() -> AddressParser.dialAddresses("unix", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("socket file path");
    }
}

package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.Test;

class SockAddrTest {

    private static SocketAddress roundTrip(SocketAddress address, int family) throws Exception {
        MemorySegment storage = SockAddr.allocate();
        int length = SockAddr.encode(address, family, storage);
        return SockAddr.decode(storage, length);
    }

    @Test
    void ipv4AddressRoundTripsWithBigEndianPort() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("192.168.1.20"), 0x1234);
        MemorySegment storage = SockAddr.allocate();
        int length = SockAddr.encode(address, LibC.AF_INET, storage);

        assertThat(length).isEqualTo(16);
        assertThat(storage.asSlice(0, 8).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                .containsExactly(2, 0, 0x12, 0x34, (byte) 192, (byte) 168, 1, 20);
        assertThat(SockAddr.decode(storage, length)).isEqualTo(address);
    }

    @Test
    void ipv6AddressRoundTripsWithScopeId() throws Exception {
        byte[] linkLocal = InetAddress.getByName("fe80::1").getAddress();
        InetSocketAddress address = new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 3), 443);

        SocketAddress decoded = roundTrip(address, LibC.AF_INET6);

        assertThat(decoded).isEqualTo(address);
        assertThat(((Inet6Address) ((InetSocketAddress) decoded).getAddress()).getScopeId()).isEqualTo(3);
    }

    @Test
    void ipv4AddressOnIpv6SocketIsWrittenV4MappedAndReadBackAsIpv4() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80);
        MemorySegment storage = SockAddr.allocate();
        int length = SockAddr.encode(address, LibC.AF_INET6, storage);

        assertThat(length).isEqualTo(28);
        assertThat(storage.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 18)).isEqualTo((byte) 0xff);
        assertThat(SockAddr.decode(storage, length)).isEqualTo(address);
    }

    @Test
    void ipv6AddressOnIpv4SocketIsRejected() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("::1"), 80);
        assertThatThrownBy(() -> SockAddr.encode(address, LibC.AF_INET, SockAddr.allocate()))
                .isInstanceOf(SocketException.class)
                .hasMessageContaining("IPv6");
    }

    @Test
    void unresolvedAddressIsRejected() {
        InetSocketAddress address = InetSocketAddress.createUnresolved("example.invalid", 80);
        assertThatThrownBy(() -> SockAddr.encode(address, LibC.AF_INET, SockAddr.allocate()))
                .isInstanceOf(SocketException.class)
                .hasMessageContaining("unresolved");
    }

    @Test
    void unixPathRoundTripsWithTerminatingNul() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of("/tmp/weft-test.sock");
        MemorySegment storage = SockAddr.allocate();
        int length = SockAddr.encode(address, LibC.AF_UNIX, storage);

        assertThat(length).isEqualTo(2 + "/tmp/weft-test.sock".length() + 1);
        assertThat(SockAddr.decode(storage, length)).isEqualTo(address);
    }

    @Test
    void abstractUnixNameRoundTripsWithAtPrefix() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of("@weft-abstract");
        MemorySegment storage = SockAddr.allocate();
        int length = SockAddr.encode(address, LibC.AF_UNIX, storage);

        assertThat(storage.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 2)).isZero();
        assertThat(length).isEqualTo(2 + 1 + "weft-abstract".length());
        assertThat(SockAddr.decode(storage, length)).isEqualTo(address);
    }

    @Test
    void unnamedUnixSocketDecodesAsEmptyPath() throws Exception {
        MemorySegment storage = SockAddr.allocate();
        storage.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) LibC.AF_UNIX);
        assertThat(SockAddr.decode(storage, 2)).isEqualTo(UnixDomainSocketAddress.of(""));
    }

    @Test
    void unixPathLongerThanSunPathIsRejected() {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of("/tmp/" + "x".repeat(120));
        assertThatThrownBy(() -> SockAddr.encode(address, LibC.AF_UNIX, SockAddr.allocate()))
                .isInstanceOf(SocketException.class)
                .hasMessageContaining("too long");
    }

    @Test
    void unknownFamilyIsRejectedOnDecode() {
        MemorySegment storage = SockAddr.allocate();
        storage.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) 17);
        assertThatThrownBy(() -> SockAddr.decode(storage, 16))
                .isInstanceOf(SocketException.class)
                .hasMessageContaining("family 17");
    }

    @Test
    void familyFollowsTheAddressType() throws Exception {
        assertThat(SockAddr.family(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 1))).isEqualTo(LibC.AF_INET);
        assertThat(SockAddr.family(new InetSocketAddress(InetAddress.getByName("::1"), 1))).isEqualTo(LibC.AF_INET6);
        assertThat(SockAddr.family(UnixDomainSocketAddress.of("/x"))).isEqualTo(LibC.AF_UNIX);
    }
}

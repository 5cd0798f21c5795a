package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a dynamic exit dials for a request: the allow-list against requested names and resolved addresses. */
@Timeout(10)
class DynamicExitTest {

    private final List<String> lookups = new ArrayList<>();

    private static AllowList allow(String... patterns) {
        return new AllowList(Arrays.stream(patterns).map(AllowList.Rule::parse).toList());
    }

    private static InetAddress ip(String literal) {
        return new Destination(literal, 0).literal();
    }

    /** A resolver that answers every name with {@code addresses} and records the lookups. */
    private DynamicExit.Resolver resolvingTo(String... addresses) {
        return name -> {
            lookups.add(name);
            return Arrays.stream(addresses).map(DynamicExitTest::ip).toArray(InetAddress[]::new);
        };
    }

    private List<InetAddress> permitted(AllowList allow, String host, int port, DynamicExit.Resolver resolver)
            throws IOException {
        return DynamicExit.permittedAddresses(allow, new Destination(host, port), resolver);
    }

    @Test
    void aCidrPatternDialsOnlyTheResolvedAddressesInsideIt() throws Exception {
        // A name re-pointed at an outside address (DNS rebinding) gets only its inside addresses dialled.
        assertThat(permitted(allow("10.0.0.0/8:443"), "app.example", 443, resolvingTo("192.168.1.1", "10.1.2.3")))
                .containsExactly(ip("10.1.2.3"));
        assertThatThrownBy(() -> permitted(allow("10.0.0.0/8:443"), "app.example", 443, resolvingTo("192.168.1.1")))
                .isInstanceOfSatisfying(DynamicExit.RefusedException.class,
                        e -> assertThat(e.status()).isEqualTo(Preamble.Status.NOT_ALLOWED))
                .hasMessageContaining("192.168.1.1");
    }

    @Test
    void aNamePatternTrustsTheNamesAddresses() throws Exception {
        assertThat(permitted(allow("*.internal:443"), "wiki.internal", 443, resolvingTo("192.168.1.1", "::1")))
                .containsExactly(ip("192.168.1.1"), ip("::1"));
    }

    @Test
    void aNameNoPatternCouldAllowIsNotEvenResolved() {
        assertThatThrownBy(() -> permitted(allow("db:5432", "10.0.0.0/8:22"), "evil.example", 5432, resolvingTo("10.0.0.1")))
                .isInstanceOfSatisfying(DynamicExit.RefusedException.class,
                        e -> assertThat(e.status()).isEqualTo(Preamble.Status.NOT_ALLOWED));
        assertThatThrownBy(() -> permitted(new AllowList(List.of()), "db", 5432, resolvingTo("10.0.0.1")))
                .as("no --allow refuses everything").isInstanceOf(DynamicExit.RefusedException.class);
        assertThat(lookups).isEmpty();
    }

    @Test
    void requestedAddressesAreCheckedWithoutALookup() throws Exception {
        assertThat(permitted(allow("[::1]:22"), "::1", 22, resolvingTo())).containsExactly(ip("::1"));
        assertThatThrownBy(() -> permitted(allow("localhost:22"), "127.0.0.1", 22, resolvingTo("127.0.0.1")))
                .as("a name pattern does not allow an address asked for").isInstanceOf(DynamicExit.RefusedException.class);
        assertThat(lookups).isEmpty();
    }

    @Test
    void aNameThatDoesNotResolveIsADnsFailure() {
        DynamicExit.Resolver none = name -> {
            throw new UnknownHostException(name);
        };
        assertThatThrownBy(() -> permitted(allow("*:80"), "nowhere.invalid", 80, none))
                .isInstanceOfSatisfying(DynamicExit.RefusedException.class,
                        e -> assertThat(e.status()).isEqualTo(Preamble.Status.DNS_FAILURE));
    }

    @Test
    void dialFailuresMapToStatuses() {
        assertThat(DynamicExit.statusOf(new ConnectException("refused"))).isEqualTo(Preamble.Status.REFUSED);
        assertThat(DynamicExit.statusOf(new IOException("dial", new NoRouteToHostException())))
                .isEqualTo(Preamble.Status.UNREACHABLE);
        assertThat(DynamicExit.statusOf(new SocketTimeoutException())).isEqualTo(Preamble.Status.TIMEOUT);
        assertThat(DynamicExit.statusOf(new IOException("other"))).isEqualTo(Preamble.Status.FAILURE);
    }
}

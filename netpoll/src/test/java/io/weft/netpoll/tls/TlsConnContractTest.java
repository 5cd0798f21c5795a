package io.weft.netpoll.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.netpoll.Conn;
import io.weft.netpoll.ConnContractTest;
import io.weft.netpoll.ConnPair;
import io.weft.netpoll.NetClosedException;
import io.weft.netpoll.TestThreads.Call;
import io.weft.netpoll.TestThreads.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link ConnContractTest} for {@link TlsConn} over whatever {@link #rawPair()} supplies (TCP
 * on each poller, pipes), plus what only TLS promises: close_notify as end of stream, truncation
 * as an error, the negotiated parameters. Both handshakes complete before each test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class TlsConnContractTest extends ConnContractTest {

    /** The unencrypted pair TLS runs over. */
    protected abstract ConnPair rawPair() throws Exception;

    /** How long {@code close()} may wait to send close_notify; pipes lower it (nobody reads after a test). */
    protected Duration closeNotifyTimeout() {
        return Duration.ofSeconds(5);
    }

    /** The raw pair of the current test. */
    protected ConnPair raw;

    @Override
    protected ConnPair connect() throws Exception {
        raw = rawPair();
        TlsConn client = Tls.client(raw.first(), TestTls.client(closeNotifyTimeout()), "localhost");
        TlsConn server = Tls.server(raw.second(), TestTls.server(closeNotifyTimeout()));
        Call<Void> serverHandshake = threads.start(Kind.VIRTUAL, () -> {
            server.handshake();
            return null;
        });
        client.handshake();
        serverHandshake.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        return new ConnPair(client, server, raw.cleanup());
    }

    @Override
    protected Class<? extends IOException> closedExceptionType() {
        return NetClosedException.class;
    }

    @Test
    void negotiatesTls13WithTheServersCertificate() {
        TlsConn client = (TlsConn) c1;
        assertThat(client.protocol()).isEqualTo("TLSv1.3");
        assertThat(client.cipherSuite()).startsWith("TLS_");
        assertThat(client.applicationProtocol()).isEmpty();
        assertThat(client.peerCertificates()).hasSize(1);
        assertThat(client.peerCertificates().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(((TlsConn) c2).peerCertificates()).isEmpty();
    }

    @Test
    void closeSendsCloseNotifySoThePeerReadsEndOfStream() throws Exception {
        Call<Integer> reader = threads.start(Kind.VIRTUAL, () -> c2.read(ByteBuffer.allocate(8)));
        reader.awaitBlocked();
        c1.close();
        assertThat(reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(-1);
    }

    @Test
    void underlyingEndWithoutCloseNotifyIsTruncationNotEndOfStream() throws Exception {
        Call<Integer> reader = threads.start(Kind.VIRTUAL, () -> c2.read(ByteBuffer.allocate(8)));
        reader.awaitBlocked();
        raw.first().close(); // cut below TLS: no close_notify
        assertThatThrownBy(() -> {
            try {
                reader.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause();
            }
        }).isInstanceOf(TlsTruncationException.class).hasMessageContaining("without close_notify");
        assertThatThrownBy(() -> c2.read(ByteBuffer.allocate(8))).isInstanceOf(TlsTruncationException.class);
    }

    @Test
    void largeRecordsAndSmallReadsKeepEveryByte() throws Exception {
        byte[] data = new byte[300_000];
        new java.util.Random(7).nextBytes(data);
        Call<Long> writer = threads.start(Kind.VIRTUAL, () -> {
            c1.write(ByteBuffer.wrap(data));
            c1.closeWrite();
            return (long) data.length;
        });
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        ByteBuffer small = ByteBuffer.allocate(7);
        int n;
        while ((n = c2.read(small.clear())) >= 0) {
            got.write(small.array(), 0, n);
        }
        writer.result().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(got.toByteArray()).isEqualTo(data);
    }

    /** Helper for subclasses: the two TLS ends of the current pair. */
    protected Conn client() {
        return c1;
    }
}

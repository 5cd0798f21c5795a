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

    @Test
    void fullDuplexBulkCrossesKeyUpdatesBothWays() throws Exception {
        // The test JVM rekeys every MiB (key-updates.security): 16 MiB each way at once means
        // key updates arrive while this side is writing, and are answered from the reader.
        int size = 16 << 20;
        Call<byte[]> fromC2 = threads.start(Kind.VIRTUAL, () -> c2.inputStream().readAllBytes());
        Call<byte[]> fromC1 = threads.start(Kind.VIRTUAL, () -> c1.inputStream().readAllBytes());
        Call<Void> c2Writer = threads.start(Kind.VIRTUAL, () -> {
            writeSeeded(c2, size, 2);
            return null;
        });
        writeSeeded(c1, size, 1);
        c2Writer.result().get(PATIENCE.toSeconds() * 3, TimeUnit.SECONDS);
        assertThat(fromC2.result().get(PATIENCE.toSeconds() * 3, TimeUnit.SECONDS)).isEqualTo(seeded(size, 1));
        assertThat(fromC1.result().get(PATIENCE.toSeconds() * 3, TimeUnit.SECONDS)).isEqualTo(seeded(size, 2));
    }

    private static byte[] seeded(int size, long seed) {
        byte[] data = new byte[size];
        new java.util.Random(seed).nextBytes(data);
        return data;
    }

    private static void writeSeeded(Conn conn, int size, long seed) throws IOException {
        byte[] data = seeded(size, seed);
        for (int off = 0; off < size; off += 100_000) {
            conn.write(ByteBuffer.wrap(data, off, Math.min(100_000, size - off)));
        }
        conn.closeWrite();
    }
}

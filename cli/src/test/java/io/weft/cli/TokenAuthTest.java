package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import io.weft.netpoll.tls.TlsHandshakeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The token exchange over loopback TCP: accepted, refused, missing, timed out; the token file rules; exit code 5. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TokenAuthTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** A connected pair of loopback TCP connections (first: the accepted one). */
    private static Net.Pipe tcpPair() throws IOException {
        try (Listener listener = Net.listen("tcp", "127.0.0.1:0")) {
            Conn dialed = Net.dial("tcp", Address.of(listener.address()).address(), TIMEOUT);
            return new Net.Pipe(listener.accept(), dialed);
        }
    }

    private static Token token(String s) {
        return Token.of(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs the server's handshake on its own thread; the future holds its outcome (null or the failure). */
    private static CompletableFuture<Throwable> serve(Conn conn, Handshake handshake) {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                Conn c = handshake.run(conn, false);
                c.write(ByteBuffer.wrap("after".getBytes(StandardCharsets.US_ASCII)));
                outcome.complete(null);
            } catch (IOException | RuntimeException e) {
                outcome.complete(e);
            }
        });
        return outcome;
    }

    @Test
    void theRightTokenIsAcceptedAndTheConnectionCarriesOn() throws Exception {
        Net.Pipe pipe = tcpPair();
        CompletableFuture<Throwable> server = serve(pipe.first(), Handshake.server(null, token("s3cret"), TIMEOUT));
        Conn client = Handshake.client(null, null, token("s3cret"), TIMEOUT).run(pipe.second(), true);
        ByteBuffer after = ByteBuffer.allocate(5);
        while (after.hasRemaining()) {
            assertThat(client.read(after)).isPositive();
        }
        assertThat(new String(after.array(), StandardCharsets.US_ASCII)).isEqualTo("after");
        assertThat(server.get(5, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void aWrongTokenIsRefusedOnBothSidesWithoutShowingEitherToken() throws Exception {
        Net.Pipe pipe = tcpPair();
        CompletableFuture<Throwable> server = serve(pipe.first(), Handshake.server(null, token("s3cret"), TIMEOUT));
        assertThatThrownBy(() -> Handshake.client(null, null, token("guess"), TIMEOUT).run(pipe.second(), true))
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("refused the token")
                .satisfies(e -> assertThat(Failures.exitCode(e)).isEqualTo(Failures.AUTH));
        Throwable refused = server.get(5, TimeUnit.SECONDS);
        assertThat(refused).isInstanceOf(AuthenticationFailedException.class).hasMessage("wrong token");
        assertThat(token("s3cret").toString()).doesNotContain("s3cret");
    }

    @Test
    void aClientWithoutATokenIsToldTheServerRequiresOne() throws Exception {
        Net.Pipe pipe = tcpPair();
        serve(pipe.first(), Handshake.server(null, token("s3cret"), TIMEOUT));
        Conn client = Handshake.PLAIN.run(pipe.second(), true);
        ByteBuffer frameHeader = ByteBuffer.allocate(12); // as yamux reads it
        assertThatThrownBy(() -> {
            while (frameHeader.hasRemaining()) {
                client.read(frameHeader);
            }
        }).isInstanceOf(AuthenticationFailedException.class).hasMessage(TokenAuth.SERVER_REQUIRES_TOKEN);
        client.close();
    }

    @Test
    void aSilentClientIsCutAfterTheHandshakeTimeout() throws Exception {
        Net.Pipe pipe = tcpPair();
        long start = System.nanoTime();
        Throwable outcome = serve(pipe.first(), Handshake.server(null, token("s3cret"), Duration.ofMillis(200)))
                .get(5, TimeUnit.SECONDS);
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(150);
        assertThat(outcome).isInstanceOf(AuthenticationFailedException.class)
                .hasMessageStartingWith("no token reply in time");
        pipe.second().close();
    }

    @Test
    void theTokenFileLosesItsTrailingNewlineAndMustNotBeEmpty(@TempDir Path dir) throws Exception {
        Path withNewline = Files.writeString(dir.resolve("a"), "s3cret\r\n");
        byte[] nonce = new byte[32];
        assertThat(Token.read(withNewline).mac(nonce)).isEqualTo(token("s3cret").mac(nonce));
        Path empty = Files.writeString(dir.resolve("b"), "\n");
        assertThatThrownBy(() -> Token.read(empty)).isInstanceOf(Failures.UsageException.class)
                .hasMessage("token file " + empty + " is empty");
        assertThatThrownBy(() -> Token.read(dir.resolve("missing"))).isInstanceOf(Failures.UsageException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void certificateRejectionsAreAuthenticationFailuresAndMismatchesProtocolErrors() {
        for (TlsHandshakeException.Reason r : TlsHandshakeException.Reason.values()) {
            int expected = switch (r) {
                case UNKNOWN_AUTHORITY, HOSTNAME_MISMATCH, CERTIFICATE_EXPIRED, PIN_MISMATCH,
                        CLIENT_CERTIFICATE_REQUIRED, PEER_ALERT -> Failures.AUTH;
                case NOT_TLS, PROTOCOL_VERSION, NO_SHARED_CIPHER -> Failures.PROTOCOL;
                default -> Failures.IO;
            };
            assertThat(Failures.exitCode(new IOException("session failed", new TlsHandshakeException("x", r, null))))
                    .as("%s", r).isEqualTo(expected);
        }
        assertThat(Failures.exitCode(new AuthenticationFailedException("wrong token"))).isEqualTo(5);
        assertThat(Failures.exitCode(new ProtocolMismatchException("the server speaks TLS"))).isEqualTo(3);
        assertThat(Failures.describe(new IOException("connection lost",
                new AuthenticationFailedException(TokenAuth.SERVER_REQUIRES_TOKEN)))).isEqualTo(TokenAuth.SERVER_REQUIRES_TOKEN);
    }
}

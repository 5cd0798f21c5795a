package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.yamux.YamuxProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The shared-token check of {@code --token-file}, run after TLS (if any) and before yamux:
 *
 * <ol>
 *   <li>server → client, 41 bytes: the magic {@code "WEFTAUTH"}, version {@code 0x01}, a 32-byte
 *       random nonce;
 *   <li>client → server, 32 bytes: HMAC-SHA256(token, {@code "weft-tunnel-auth-v1"} || nonce);
 *   <li>server → client, 1 byte: {@code 0x00} accepted (yamux starts on the same connection) or
 *       {@code 0x01} refused (the server closes).
 * </ol>
 *
 * <p>The token never crosses the wire and a fresh nonce makes every reply single-use; the
 * server compares in constant time. A Weft client without a token recognises the magic ({@link
 * PlainClientConn}); any other yamux client reads its first byte ({@code 'W'}, 87) as a
 * yamux version and fails at once ({@link #serverRequiresToken} recognises that too). The caller
 * bounds the exchange with a deadline. Stateless; any thread.
 */
final class TokenAuth {

    /** What a client without {@code --token-file} is told when the server wants one. */
    static final String SERVER_REQUIRES_TOKEN = "server requires a token (--token-file)";

    static final byte[] MAGIC = "WEFTAUTH".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int NONCE_BYTES = 32;
    static final int REPLY_BYTES = 32;
    static final int HELLO_BYTES = MAGIC.length + 1 + NONCE_BYTES;
    static final byte ACCEPTED = 0;
    static final byte REFUSED = 1;
    private static final byte[] CONTEXT = "weft-tunnel-auth-v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenAuth() {}

    /**
     * The server's side: sends the challenge, checks the reply, answers.
     *
     * @throws AuthenticationFailedException when the client's reply is wrong or missing; its
     *     message says which, for the log ("wrong token")
     */
    static void server(Conn conn, Token token) throws IOException {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES).put(MAGIC).put((byte) VERSION).put(nonce).flip();
        writeFully(conn, hello);
        ByteBuffer reply = ByteBuffer.allocate(REPLY_BYTES);
        try {
            readFully(conn, reply);
        } catch (EOFException e) {
            throw new AuthenticationFailedException(reply.position() == 0 || looksLikeYamux(reply)
                    ? "no token (the client hung up without answering; does it have --token-file?)"
                    : "the client hung up during the token exchange");
        } catch (SocketTimeoutException e) {
            throw new AuthenticationFailedException("no token reply in time (the client needs --token-file)", e);
        }
        if (!token.verifies(reply.array(), CONTEXT, nonce)) {
            writeFully(conn, ByteBuffer.wrap(new byte[] {REFUSED}));
            throw new AuthenticationFailedException("wrong token");
        }
        writeFully(conn, ByteBuffer.wrap(new byte[] {ACCEPTED}));
    }

    /**
     * The client's side: answers the challenge and reads the verdict.
     *
     * @throws AuthenticationFailedException when the server refuses the token or does not ask for one in time
     */
    static void client(Conn conn, Token token) throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES);
        try {
            readFully(conn, hello);
        } catch (SocketTimeoutException e) {
            throw new AuthenticationFailedException(
                    "the server did not start the token exchange in time (does it use --token-file?)", e);
        }
        byte[] h = hello.array();
        if (!Arrays.equals(h, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException("the server does not speak the token exchange (does it use --token-file?)");
        }
        int version = h[MAGIC.length] & 0xFF;
        if (version != VERSION) {
            throw new AuthenticationFailedException("the server speaks token exchange version " + version
                    + "; this weft speaks " + VERSION);
        }
        byte[] nonce = Arrays.copyOfRange(h, MAGIC.length + 1, HELLO_BYTES);
        writeFully(conn, ByteBuffer.wrap(token.mac(CONTEXT, nonce)));
        ByteBuffer verdict = ByteBuffer.allocate(1);
        try {
            readFully(conn, verdict);
        } catch (EOFException e) {
            throw new AuthenticationFailedException("the server hung up during the token exchange", e);
        }
        if (verdict.get(0) != ACCEPTED) {
            throw new AuthenticationFailedException("the server refused the token (--token-file differs from the server's)");
        }
    }

    /**
     * Whether {@code failure} is what a yamux client without a token sees from a server that
     * wants one: its reader took the magic's first byte for a yamux version.
     */
    static boolean serverRequiresToken(Throwable failure) {
        return failure instanceof YamuxProtocolException p && !p.isRemote()
                && ("unsupported yamux version " + (MAGIC[0] & 0xFF)).equals(p.reason());
    }

    /** A client without a token sends yamux frames (a ping, a GoAway): version 0, type 0 to 3. */
    private static boolean looksLikeYamux(ByteBuffer reply) {
        return reply.position() >= 2 && reply.get(0) == 0 && reply.get(1) >= 0 && reply.get(1) <= 3;
    }

    private static void readFully(Conn conn, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (conn.read(buf) < 0) {
                throw new EOFException("connection closed after " + buf.position() + " of " + buf.limit() + " bytes");
            }
        }
    }

    private static void writeFully(Conn conn, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            conn.write(buf);
        }
    }
}

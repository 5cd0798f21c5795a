package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft tunnel --forward/--socks/--allow} as real processes: one dynamic exit and two entries
 * shared by the tests (one with two forwards and an open SOCKS port, one whose SOCKS port wants a
 * password), curl as the SOCKS client, and an HTTP server serving 3 MiB of random bytes on IPv4 and IPv6.
 */
@Timeout(120)
class ForwardEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final byte[] FILE = new byte[3 << 20];
    private static final String SHA = fill();

    private static HttpServer http;
    private static HttpServer http6;
    private static TcpPeers.Server echo;
    private static WeftProcess exit;
    private static WeftProcess entry;
    private static WeftProcess passwordEntry;
    private static String yamux;
    private static String echoForward;
    private static String httpForward;
    private static String socks;
    private static String passwordSocks;

    private static String fill() {
        new SplittableRandom(14).nextBytes(FILE);
        return TcpPeers.sha256Hex(FILE);
    }

    private static HttpServer serve(String host) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), 0), 0);
        server.createContext("/file", exchange -> {
            exchange.sendResponseHeaders(200, FILE.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(FILE);
            }
        });
        server.start();
        return server;
    }

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        http = serve("127.0.0.1");
        http6 = serve("::1");
        echo = new TcpPeers.Server(TcpPeers::echo);
        int httpPort = http.getAddress().getPort();
        exit = WeftProcess.start("tunnel", "--listen", "127.0.0.1:0",
                "--allow", "localhost:" + httpPort, "--allow", "127.0.0.1/32:" + httpPort,
                "--allow", "127.0.0.1:" + echo.port(), "--allow", "[::1]:" + http6.getAddress().getPort());
        yamux = exit.awaitListening("yamux:", TIMEOUT);
        entry = WeftProcess.start("tunnel", "--connect", yamux,
                "--forward", "127.0.0.1:0:127.0.0.1:" + echo.port(), "--forward", "0:localhost:" + httpPort,
                "--socks", "0");
        Path users = dir.resolve("users");
        Files.writeString(users, "# user:password\nalice:s3cret:with-colon\n");
        passwordEntry = WeftProcess.start("tunnel", "--connect", yamux, "--socks", "127.0.0.1:0",
                "--socks-users", users.toString());
        echoForward = entry.awaitListening("forward 127.0.0.1:" + echo.port() + ":", TIMEOUT);
        httpForward = entry.awaitListening("forward localhost:" + httpPort + ":", TIMEOUT);
        socks = entry.awaitListening("socks:", TIMEOUT);
        passwordSocks = passwordEntry.awaitListening("socks:", TIMEOUT);
    }

    @AfterAll
    static void stop() throws IOException {
        for (WeftProcess p : new WeftProcess[] {entry, passwordEntry, exit}) {
            if (p != null) {
                p.close();
            }
        }
        for (HttpServer s : new HttpServer[] {http, http6}) {
            if (s != null) {
                s.stop(0);
            }
        }
        if (echo != null) {
            echo.close();
        }
    }

    /** curl fetches /file at {@code url} with {@code options}; returns the SHA-256 of what arrived. */
    private static String fetch(Path dir, String url, String... options) throws Exception {
        Path out = Files.createTempFile(dir, "fetched", ".bin");
        String[] args = new String[options.length + 3];
        System.arraycopy(options, 0, args, 0, options.length);
        args[options.length] = "-o";
        args[options.length + 1] = out.toString();
        args[options.length + 2] = url;
        Curl.Result r = Curl.run(args);
        assertThat(r.exitCode()).as("curl %s; stderr %s%nentry:%n%s%nexit:%n%s", url, r.stderr(),
                entry.stderr(), exit.stderr()).isZero();
        return TcpPeers.sha256Hex(Files.readAllBytes(out));
    }

    /** A SOCKS5 CONNECT (no authentication) for IPv4 {@code host:port}; returns the reply code. */
    private static int socksConnect(String proxy, String host, int port) throws IOException {
        try (Socket s = TcpPeers.connect(proxy)) {
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(new byte[] {5, 1, 0});
            byte[] method = new byte[2];
            in.readFully(method);
            assertThat(method).containsExactly(5, 0);
            byte[] a = InetAddress.getByName(host).getAddress();
            out.write(new byte[] {5, 1, 0, 1, a[0], a[1], a[2], a[3], (byte) (port >> 8), (byte) port});
            byte[] reply = new byte[10];
            in.readFully(reply);
            return reply[1];
        }
    }

    @Test
    void twoForwardsInOneProcessBothWork(@TempDir Path dir) throws Exception {
        assertThat(TcpPeers.echoOnce(echoForward, 200_000, 5)).isEqualTo(200_000);
        assertThat(fetch(dir, "http://" + httpForward + "/file")).isEqualTo(SHA);
    }

    @Test
    void curlSocks5HostnameFetchesTheFileIntact(@TempDir Path dir) throws Exception {
        int port = http.getAddress().getPort();
        assertThat(fetch(dir, "http://localhost:" + port + "/file", "--socks5-hostname", socks)).isEqualTo(SHA);
    }

    @Test
    void curlSocks5ReachesIpv4AndIpv6Targets(@TempDir Path dir) throws Exception {
        assertThat(fetch(dir, "http://127.0.0.1:" + http.getAddress().getPort() + "/file", "--socks5", socks))
                .isEqualTo(SHA);
        assertThat(fetch(dir, "http://[::1]:" + http6.getAddress().getPort() + "/file", "-g", "--socks5", socks))
                .isEqualTo(SHA);
    }

    @Test
    void aFailedAuthenticationIsAnsweredThenClosedNotReset() throws Exception {
        // RFC 1929: answer the failure, then close. A reset can make the client (Windows: always)
        // drop the answer unread and report "connection reset" instead of a wrong password.
        String[] hostPort = {passwordSocks.substring(0, passwordSocks.lastIndexOf(':')),
            passwordSocks.substring(passwordSocks.lastIndexOf(':') + 1)};
        try (Socket client = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
            client.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = client.getOutputStream();
            DataInputStream in = new DataInputStream(client.getInputStream());
            out.write(new byte[] {5, 1, 2});
            byte[] selection = new byte[2];
            in.readFully(selection);
            assertThat(selection).containsExactly(5, 2);
            out.write(new byte[] {1, 5, 'a', 'l', 'i', 'c', 'e', 5, 'g', 'u', 'e', 's', 's'});
            byte[] status = new byte[2];
            in.readFully(status);
            assertThat(status).containsExactly(1, 1);
            assertThat(in.read()).as("end of stream, not a reset").isEqualTo(-1);
        }
    }

    @Test
    void usernameAndPasswordAreCheckedAndNeverLogged(@TempDir Path dir) throws Exception {
        String url = "http://localhost:" + http.getAddress().getPort() + "/file";
        assertThat(fetch(dir, url, "--socks5-hostname", passwordSocks, "--proxy-user", "alice:s3cret:with-colon"))
                .isEqualTo(SHA);
        Curl.Result wrong = Curl.run("-o", "/dev/null", "--socks5-hostname", passwordSocks,
                "--proxy-user", "alice:guess", url);
        assertThat(wrong.exitCode()).as(wrong.stderr()).isNotZero();
        Curl.Result none = Curl.run("-o", "/dev/null", "--socks5-hostname", passwordSocks, url);
        assertThat(none.exitCode()).as(none.stderr()).isNotZero();
        assertThat(passwordEntry.awaitStderr("wrong username or password", 1, TIMEOUT)).as(passwordEntry.stderr()).isTrue();
        assertThat(passwordEntry.awaitStderr("offers no username/password", 1, TIMEOUT)).as(passwordEntry.stderr()).isTrue();
        assertThat(passwordEntry.stderr()).doesNotContain("s3cret", "guess");
    }

    @Test
    void aDestinationOutsideAllowIsRefusedWithReplyTwoAndALogLine() throws Exception {
        int port = http.getAddress().getPort();
        assertThat(socksConnect(socks, "127.0.0.2", port)).isEqualTo(Socks5.REP_NOT_ALLOWED);
        assertThat(socksConnect(socks, "127.0.0.1", 1)).as("an allowed address on another port")
                .isEqualTo(Socks5.REP_NOT_ALLOWED);
        assertThat(exit.awaitStderr("refused 127.0.0.2:" + port + ": no --allow pattern matches it", 1, TIMEOUT))
                .as(exit.stderr()).isTrue();
        assertThat(entry.awaitStderr("(SOCKS reply 2)", 1, TIMEOUT)).as(entry.stderr()).isTrue();
        assertThat(socksConnect(socks, "127.0.0.1", port)).as("an allowed one still works").isZero();
    }

    @Test
    void reverseForwardOnTheListenSide() throws Exception {
        try (WeftProcess listen = WeftProcess.start("tunnel", "--listen", "127.0.0.1:0",
                "--forward", "127.0.0.1:0:127.0.0.1:" + echo.port());
                WeftProcess connect = WeftProcess.start("tunnel", "--connect",
                        listen.awaitListening("yamux:", TIMEOUT), "--allow", "127.0.0.1:" + echo.port())) {
            String forward = listen.awaitListening("forward 127.0.0.1:" + echo.port() + ":", TIMEOUT);
            assertThat(connect.awaitStderr("connected to", 1, TIMEOUT)).as(connect.stderr()).isTrue();
            assertThat(TcpPeers.echoOnce(forward, 100_000, 7)).isEqualTo(100_000);
        }
    }

    @Test
    void aPlainEntryAtADynamicExitIsToldWhichFlagsToChange() throws Exception {
        try (WeftProcess plain = WeftProcess.start("tunnel", "--connect", yamux, "--from", "127.0.0.1:0")) {
            try (Socket s = TcpPeers.connect(plain.awaitListening("entry:", TIMEOUT))) {
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(TcpPeers.readOrReset(s.getInputStream())).isLessThan(0);
            }
            assertThat(exit.awaitStderr("not --from", 1, TIMEOUT)).as(exit.stderr()).isTrue();
            assertThat(exit.stderr()).contains("no Weft preamble (the stream starts with \"GET / HTTP/1.0\\x0d\\x0a");
        }
    }

    @Test
    void aForwardAtAPlainExitIsToldWhichFlagsToChange() throws Exception {
        // The plain exit's target speaks first, as sshd does: its banner comes back instead of a reply.
        try (var banner = new TcpPeers.Server(socket -> {
            socket.getOutputStream().write("SSH-2.0-test\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().transferTo(OutputStream.nullOutputStream());
        });
                WeftProcess plainExit = WeftProcess.start("tunnel", "--listen", "127.0.0.1:0", "--to", banner.address());
                WeftProcess forward = WeftProcess.start("tunnel", "--connect",
                        plainExit.awaitListening("yamux:", TIMEOUT), "--forward", "0:db:5432")) {
            try (Socket s = TcpPeers.connect(forward.awaitListening("forward db:5432:", TIMEOUT))) {
                InputStream in = s.getInputStream();
                assertThat(TcpPeers.readOrReset(in)).isLessThan(0);
            }
            assertThat(forward.awaitStderr("need the peer started with --allow PATTERN, not --to ADDR", 1, TIMEOUT))
                    .as(forward.stderr()).isTrue();
            assertThat(forward.stderr()).contains("the exit answered with plain bytes (the reply starts with \"SSH-2.0-test\\x0d\\x0a\"), not a Weft preamble reply");
        }
    }
}

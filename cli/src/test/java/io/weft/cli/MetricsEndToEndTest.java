package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --metrics}: a real {@code weft tunnel} / {@code weft echo} scraped over HTTP, and the text linted by promtool. */
@Timeout(90)
class MetricsEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern METRICS = Pattern.compile("metrics: serving (http://\\S+/metrics)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void tunnelMetricsMoveWithTrafficCountAuthFailuresAndPassPromtool() throws Exception {
        Path token = tokenFile("token", "the right token");
        Path wrong = tokenFile("wrong", "a wrong token");
        try (var target = new TcpPeers.Server(TcpPeers::echo);
                WeftProcess server = WeftProcess.start("tunnel", "--listen", "127.0.0.1:0", "--to", target.address(),
                        "--token-file", token.toString(), "--keepalive", "100ms", "--metrics", "127.0.0.1:0")) {
            String url = server.awaitMatch(METRICS, TIMEOUT);
            String yamux = server.awaitListening("yamux:", TIMEOUT);
            Map<String, Double> idle = parse(scrape(url));
            assertThat(idle).containsEntry("weft_sessions_open", 0.0).containsEntry("weft_sessions_total", 0.0)
                    .containsEntry("weft_sent_bytes_total", 0.0).containsEntry("weft_auth_failures_total", 0.0)
                    .doesNotContainKey("weft_ping_rtt_seconds");

            try (WeftProcess refused = entry(yamux, wrong)) {
                refused.assertExit(Failures.AUTH, TIMEOUT);
            }
            int bytes = 64 * 1024;
            try (WeftProcess entry = entry(yamux, token)) {
                String from = entry.awaitListening("entry:", TIMEOUT);
                assertThat(TcpPeers.echoConcurrently(from, 10, bytes)).isEqualTo(10L * bytes);
                // Streams end a little after the echo completes; RTT comes from the 100 ms keepalive.
                await().atMost(TIMEOUT).until(() -> {
                    Map<String, Double> m = parse(scrape(url));
                    return m.get("weft_streams_open") == 0 && m.containsKey("weft_ping_rtt_seconds");
                });
                String text = scrape(url);
                Map<String, Double> busy = parse(text);
                assertThat(busy).containsEntry("weft_sessions_open", 1.0).containsEntry("weft_sessions_total", 1.0)
                        .containsEntry("weft_streams_opened_total{opened_by=\"peer\"}", 10.0)
                        .containsEntry("weft_streams_opened_total{opened_by=\"local\"}", 0.0)
                        .containsEntry("weft_auth_failures_total", 1.0)
                        .containsEntry("weft_goaways_received_total{code=\"0\"}", 0.0);
                assertThat(busy.get("weft_received_bytes_total")).isEqualTo(10.0 * bytes);
                assertThat(busy.get("weft_sent_bytes_total")).isEqualTo(10.0 * bytes);
                assertThat(busy.get("weft_frames_received_total{type=\"data\"}")).isGreaterThanOrEqualTo(10);
                assertThat(busy.get("weft_ping_rtt_seconds")).isPositive().isLessThan(1);
                assertThat(busy.get("weft_ping_rtt_min_seconds")).isPositive();
                assertThat(busy.get("weft_memory_budget_used_bytes")).isPositive();
                Promtool.assertValid(text);
            }
            // The entry is gone: its session ends, its counters stay in the totals.
            await().atMost(TIMEOUT).until(() -> parse(scrape(url)).get("weft_sessions_open") == 0);
            Map<String, Double> after = parse(scrape(url));
            assertThat(after.get("weft_sent_bytes_total")).isEqualTo(10.0 * bytes);
            assertThat(after.get("weft_streams_opened_total{opened_by=\"peer\"}")).isEqualTo(10);
            assertThat(after.get("weft_memory_budget_used_bytes")).isZero();
        }
    }

    @Test
    void echoServesMetricsToo() throws Exception {
        try (WeftProcess echo = WeftProcess.start("echo", "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0")) {
            String url = echo.awaitMatch(METRICS, TIMEOUT);
            String address = echo.awaitListening(TIMEOUT);
            WeftProcess.run(TIMEOUT, "ping", "-c", "2", "-i", "10ms", address).assertExit(0, TIMEOUT);
            await().atMost(TIMEOUT).until(() -> parse(scrape(url)).get("weft_sessions_total") == 1);
            String text = scrape(url);
            assertThat(parse(text).get("weft_frames_received_total{type=\"ping\"}")).isGreaterThanOrEqualTo(2);
            Promtool.assertValid(text);
        }
    }

    private static WeftProcess entry(String yamux, Path token) throws IOException {
        return WeftProcess.start("tunnel", "--connect", yamux, "--from", "127.0.0.1:0", "--token-file", token.toString(),
                "--retry-min", "50ms", "--retry-max", "500ms");
    }

    private Path tokenFile(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static String scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        return response.body();
    }

    /** Sample lines as {@code name{labels}} → value; comments dropped. */
    private static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }
}

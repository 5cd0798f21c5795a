package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.netpoll.Poller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fast check that the harness still runs end to end: tiny in-process cells on the JDK
 * baselines, and the report arithmetic. Not a benchmark: the figures are not looked at.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HarnessSmokeTest {

    private static final Duration WARMUP = Duration.ofMillis(100);
    private static final Duration MEASURE = Duration.ofMillis(200);
    /**
     * NetBench's warm-up starts before the handshake, and a JVM's first TLS handshake took most of
     * a second on a loaded 2-core machine (the window then saw no round trip and the test failed).
     */
    private static final Duration TLS_WARMUP = Duration.ofSeconds(2);

    @Test
    void pingPongCellCountsRoundTripsOnVirtualThreads() throws Exception {
        Measurement.Result result = NetBench.run("jdk-virtual", "pingpong", 4, WARMUP, MEASURE, false, true);

        assertThat(result.count()).isPositive();
        assertThat(result.unit()).isEqualTo("rt/s");
        assertThat(result.toJson()).contains("\"impl\":\"jdk-virtual\"", "\"connections\":4");
    }

    @Test
    void bulkCellCountsBytesOnPlatformThreads() throws Exception {
        Measurement.Result result = NetBench.run("jdk-platform", "bulk", 1, WARMUP, MEASURE, true, true);

        assertThat(result.count()).isGreaterThan(Workloads.BULK_CHUNK_BYTES);
        assertThat(result.unit()).isEqualTo("MB/s");
    }

    @Test
    void pingPongCellRunsOnEveryWeftPoller() throws Exception {
        for (String poller : Poller.names()) {
            Measurement.Result result = NetBench.run("weft-" + poller, "pingpong", 2, WARMUP, MEASURE, false, true);

            assertThat(result.count()).as(poller).isPositive();
        }
    }

    @Test
    void tlsCellsRunOverTlsConnAndSslSocketAndNameTheSuite(@TempDir Path dir) throws Exception {
        BenchTls.Material tls = BenchTls.generate(dir, Path.of(System.getProperty("java.home")));
        String weft = Poller.names().contains("epoll") ? "weft-epoll-tls" : null;

        Measurement.Result jdk = NetBench.run("jdk-tls-virtual", "pingpong", 1, TLS_WARMUP, MEASURE, true, true,
                tls.p12());
        Measurement.Result bulk = weft == null ? jdk
                : NetBench.run(weft, "bulk", 1, TLS_WARMUP, MEASURE, true, true, tls.p12());

        assertThat(jdk.count()).isPositive();
        assertThat(bulk.count()).isPositive();
        assertThat(jdk.tls()).startsWith("TLSv1.3 ");
        assertThat(Launcher.parse(bulk.toJson()).tls()).isEqualTo(bulk.tls()).startsWith("TLSv1.3 ");
        assertThat(tls.certPem()).content().startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(tls.keyPem()).content().startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void launcherReadsTheJsonLineBothPeersPrint() {
        Launcher.Outcome go = Launcher.parse("{\"impl\":\"go-yamux\",\"workload\":\"rr\",\"seconds\":2.0,"
                + "\"bytes\":1,\"ops\":2,\"value\":8332.9,\"unit\":\"rt/s\",\"runtime\":\"go1.19.8\"}");
        Launcher.Outcome java = Launcher.parse(new Measurement.Result("weft-yamux", "bulk", 1, 2.0, 10, 1234.5,
                "MB/s", 1.5, new Measurement.Window(7.5, 12)).toJson());

        assertThat(go.ok()).isTrue();
        assertThat(go.value()).isEqualTo(8332.9);
        assertThat(go.runtime()).isEqualTo("go1.19.8");
        assertThat(java.value()).isEqualTo(1234.5);
        assertThat(java.cpu()).isEqualTo(1.5);
        assertThat(java.metrics()).containsEntry("warmup", 7.5).containsEntry("jitMs", 12.0);
    }

    @Test
    void reportShowsMedianRangeRatioAndTargetVerdict() {
        Report report = new Report();
        Report.Table table = Compare.yamuxTable();
        Report.Row bulk = table.rows().getFirst();
        double[] weft = {300, 100, 200};
        for (int round = 0; round < weft.length; round++) {
            report.add(bulk, "weft-yamux", round + 1, new Launcher.Outcome(weft[round], "MB/s", 1, "java", null));
            report.add(bulk, "go-yamux", round + 1, new Launcher.Outcome(100, "MB/s", 1, "go", null));
        }
        report.add(bulk, "go-raw", 1, Launcher.Outcome.failed("boom"));

        String markdown = report.render(table);

        assertThat(report.median(bulk, "weft-yamux")).isEqualTo(200);
        assertThat(markdown).contains("| 200 [100–300] |", "| 2.00× |", "≥ 1.20× met", "| failed |");
        assertThat(report.failures()).singleElement().asString().contains("go-raw: boom");
    }
}

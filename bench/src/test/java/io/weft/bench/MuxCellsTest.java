package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.weft.netpoll.Listener;
import io.weft.netpoll.Poller;
import io.weft.yamux.Session;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xml.sax.InputSource;

/**
 * The yamux2 suite's parts: the histogram's buckets and percentiles, the multi-figure cells
 * through the launcher and the report, the SVG plot, and tiny in-process runs of every
 * {@link MuxCells} workload over Weft yamux. Not a benchmark: the figures are not looked at.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MuxCellsTest {

    private static final Duration WARMUP = Duration.ofMillis(100);
    private static final Duration MEASURE = Duration.ofMillis(200);

    @Test
    void histogramBucketsTileTheValuesAndPercentilesStayWithinOneBucket() {
        for (int i = 0; i < 600; i++) {
            long upper = LatencyHistogram.upperMicros(i);
            assertThat(LatencyHistogram.index(upper)).as("upper edge of %d", i).isEqualTo(i);
            assertThat(LatencyHistogram.index(upper + 1)).as("after bucket %d", i).isEqualTo(i + 1);
        }
        LatencyHistogram histogram = new LatencyHistogram();
        for (long micros = 1; micros <= 10_000; micros++) {
            histogram.recordNanos(micros * 1000);
        }

        assertThat(histogram.count()).isEqualTo(10_000);
        assertThat(histogram.percentileMicros(50)).isCloseTo(5_000, within(5_000 / 32.0));
        assertThat(histogram.percentileMicros(99)).isCloseTo(9_900, within(9_900 / 32.0));
        assertThat(histogram.percentileMicros(100)).isEqualTo(10_000);
        assertThat(histogram.maxMicros()).isEqualTo(10_000);
        assertThat(new LatencyHistogram().percentileMicros(50)).isNaN();
    }

    @Test
    void oneCellRunFeedsEveryRowOfItsCellAndLowerIsBetterRowsCompareTheOtherWay() {
        Report.Table table = Compare.yamux2Table();
        List<Report.Row> lub = Compare.cells(table).getFirst();
        Launcher.Outcome weft = Launcher.parse("{\"impl\":\"weft-yamux\",\"value\":5000.0,\"unit\":\"rt/s\","
                + "\"cpu\":1.0,\"bulk\":900.0,\"p50\":100.0,\"p90\":150.0,\"p99\":400.0,\"p999\":900.0,\"max\":2000.0}");
        Launcher.Outcome go = Launcher.parse("{\"bulk\":800,\"count\":9,\"impl\":\"go-yamux\",\"max\":3000,"
                + "\"p50\":200,\"p90\":300,\"p99\":500,\"p999\":800,\"runtime\":\"go1.19.8\",\"unit\":\"rt/s\","
                + "\"value\":4000}");
        Report report = new Report();
        for (Report.Row row : lub) {
            report.add(row, "weft-yamux", 1, weft.metric(row.metric(), row.unit()));
            report.add(row, "go-yamux", 1, go.metric(row.metric(), row.unit()));
        }

        String markdown = report.render(table);

        assertThat(lub).extracting(Report.Row::metric).containsExactly("value", "p50", "p99", "bulk");
        assertThat(report.median(lub.get(2), "weft-yamux")).isEqualTo(400);
        assertThat(markdown).contains("| 5,000 | 4,000 | — | — | 1.25× | ≥ 1.00× met |",
                "| 400 | 500 | — | — | 0.80× | ≤ 1.00× met |", "| 900 | 800 | — | — | 1.13× | ≥ 1.00× met |");
        assertThat(go.metric("p77", "µs").ok()).isFalse();
        assertThat(Report.format(4.75, true)).isEqualTo("4.8");
        assertThat(Report.format(4.75)).isEqualTo("5");
    }

    @Test
    void plotIsWellFormedSvgWithOneLinePerVariant() throws Exception {
        Map<String, double[]> medians = LatencyPlot.medians(Map.of(
                "weft-yamux", List.of(Map.of("p50", 100.0, "p90", 200.0, "p99", 900.0, "p999", 2000.0, "max", 5000.0)),
                "go-yamux", List.of(Map.of("p50", 50.0, "p90", 80.0, "p99", 400.0, "p999", 700.0, "max", 900.0),
                        Map.of("p50", 70.0, "p90", 90.0, "p99", 600.0, "p999", 800.0, "max", 1000.0)),
                "weft-raw", List.of(Map.of("p50", 10.0))));

        String svg = LatencyPlot.render(medians, Compare.yamux2Table().columns(), "test");

        assertThat(medians).containsOnlyKeys("weft-yamux", "go-yamux");
        assertThat(medians.get("go-yamux")).containsExactly(60, 85, 500, 750, 950);
        var document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(svg)));
        assertThat(document.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        assertThat(svg).contains("Weft yamux", "Go yamux", "p99.9", "1 ms");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lub", "bulk8", "churn"})
    void everyWorkloadRunsOverWeftYamux(String workload) throws Exception {
        Poller poller = Poller.system();
        try (Listener listener = poller.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Session> server = CompletableFuture.supplyAsync(() -> {
                try {
                    return Session.server(listener.accept(), MuxCells.config(workload, 0));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Session client = Session.client(poller.dial("tcp", NetBench.hostPort(listener.address())),
                    MuxCells.config(workload, 0))) {
                Session serving = server.get(10, TimeUnit.SECONDS);
                MuxCells.serve(serving::acceptStream, Thread.ofVirtual(), new CountDownLatch(1));

                String json = MuxCells.client(workload, client::openStream, Thread.ofVirtual(), WARMUP, MEASURE,
                        "weft-yamux");

                Launcher.Outcome outcome = Launcher.parse(json);
                assertThat(outcome.ok()).as(json).isTrue();
                assertThat(outcome.value()).as(json).isPositive();
                if (workload.equals("lub")) {
                    assertThat(outcome.metric("p99", "µs").value()).as(json).isPositive()
                            .isGreaterThanOrEqualTo(outcome.metric("p50", "µs").value());
                    assertThat(outcome.metric("bulk", "MB/s").value()).as(json).isPositive();
                }
                serving.close();
            }
        }
    }

    @Test
    void idleCellReportsRssAndHeapPerStreamFromTheServer() throws Exception {
        int streams = 200;
        Poller poller = Poller.system();
        try (Listener listener = poller.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try {
                    MuxCells.serveIdle(Session.server(listener.accept(), MuxCells.config("idle", streams)), streams);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Session client = Session.client(poller.dial("tcp", NetBench.hostPort(listener.address())),
                    MuxCells.config("idle", streams))) {
                String json = MuxCells.idleClient(client::openStream, streams);

                Launcher.Outcome outcome = Launcher.parse(json);
                assertThat(outcome.ok()).as(json).isTrue();
                assertThat(outcome.unit()).isEqualTo("KiB");
                assertThat(outcome.metrics()).as(json).containsKeys("heap", "heapReaders", "rssMiB", "connections");
                assertThat(outcome.metrics().get("connections")).isEqualTo(streams);
            }
            server.get(10, TimeUnit.SECONDS); // the server returns once the client's session has closed
        }
    }
}

package io.weft.cli;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --metrics} collector: reads a command's {@link SessionSet} (every session's
 * {@code Session.stats()}, the totals of ended ones, {@link ServerCounters}) at scrape time, so
 * nothing is counted twice and nothing is done between scrapes. The metric names are listed in
 * docs/cli.md ("Metrics"); counters are named without {@code _total} here, the exposition adds it.
 * Called on the HTTP server's threads; thread-safe because {@link SessionSet#metrics()} is.
 */
final class MetricsCollector implements MultiCollector {
    private final SessionSet sessions;

    MetricsCollector(SessionSet sessions) {
        this.sessions = sessions;
    }

    @Override
    public MetricSnapshots collect() {
        SessionSet.Metrics m = sessions.metrics();
        SessionTotals t = m.totals();
        ServerCounters c = sessions.counters;
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(gauge("weft_sessions_open", "Yamux sessions open now.", null, m.sessionsOpen()));
        out.add(counter("weft_sessions", "Yamux sessions started (accepted or dialed).", null, m.sessionsTotal()));
        out.add(gauge("weft_streams_open", "Streams open now over all sessions.", null, t.streamsOpen));
        out.add(counter("weft_streams_opened", "Streams opened, by the side that opened them.", null,
                "opened_by", new String[] {"local", "peer"}, new long[] {t.streamsOpened, t.streamsOpenedByPeer}));
        out.add(counter("weft_streams_refused", "Inbound streams refused with RST (limits, backlog, going away).",
                null, t.streamsRefused));
        out.add(counter("weft_streams_reset", "Streams that ended by RST, by who sent it.", null,
                "direction", new String[] {"sent", "received"}, new long[] {t.streamsResetSent, t.streamsResetReceived}));
        out.add(gauge("weft_streams_accept_backlog", "Inbound streams waiting to be accepted.", null, t.acceptBacklog));
        out.add(counter("weft_received_bytes", "Stream payload bytes received.", Unit.BYTES, t.bytesIn));
        out.add(counter("weft_sent_bytes", "Stream payload bytes sent.", Unit.BYTES, t.bytesOut));
        out.add(counter("weft_frames_received", "Yamux frames received, by type.", null,
                "type", SessionTotals.FRAME_TYPES, t.framesIn));
        out.add(counter("weft_frames_sent", "Yamux frames sent, by type.", null,
                "type", SessionTotals.FRAME_TYPES, t.framesOut));
        out.add(counter("weft_goaways_sent", "GoAway frames sent, by code (0 normal, 1 protocol error,"
                + " 2 internal error).", null, "code", SessionTotals.GOAWAY_CODES, t.goAwaysSent));
        out.add(counter("weft_goaways_received", "GoAway frames received, by code (0 normal, 1 protocol error,"
                + " 2 internal error).", null, "code", SessionTotals.GOAWAY_CODES, t.goAwaysReceived));
        if (t.maxRttNanos > 0) {
            out.add(gauge("weft_ping_rtt_seconds", "Smoothed ping round-trip time; the highest of the open sessions.",
                    Unit.SECONDS, Unit.nanosToSeconds(t.maxRttNanos)));
        }
        if (t.minRttNanos > 0) {
            out.add(gauge("weft_ping_rtt_min_seconds", "Smallest ping round-trip time; the lowest of the open sessions.",
                    Unit.SECONDS, Unit.nanosToSeconds(t.minRttNanos)));
        }
        out.add(gauge("weft_memory_budget_used_bytes", "Bytes the open sessions hold in the memory budget.",
                Unit.BYTES, t.memoryBudgetBytes));
        out.add(counter("weft_accept_errors", "Temporary accept errors (such as running out of file descriptors),"
                + " by listener.", null, "listener", new String[] {"yamux", "entry"},
                new long[] {c.yamuxAcceptErrors.sum(), c.entryAcceptErrors.sum()}));
        out.add(counter("weft_connections_refused", "Connections closed unanswered: too many handshakes at once.",
                null, c.refusedConnections.sum()));
        out.add(counter("weft_auth_failures", "Handshakes that failed authentication (token, client certificate).",
                null, c.authFailures.sum()));
        out.add(counter("weft_handshake_failures", "Other failed handshakes (not TLS, TLS errors, timeouts).",
                null, c.handshakeFailures.sum()));
        return new MetricSnapshots(out);
    }

    private static GaugeSnapshot gauge(String name, String help, Unit unit, double value) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeDataPointSnapshot.builder().value(value).build());
        return unit == null ? b.build() : b.unit(unit).build();
    }

    private static CounterSnapshot counter(String name, String help, Unit unit, long value) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterDataPointSnapshot.builder().value(value).build());
        return unit == null ? b.build() : b.unit(unit).build();
    }

    private static CounterSnapshot counter(String name, String help, Unit unit, String label, String[] labelValues,
            long[] values) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        for (int i = 0; i < labelValues.length; i++) {
            b.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of(label, labelValues[i])).value(values[i]).build());
        }
        return unit == null ? b.build() : b.unit(unit).build();
    }
}

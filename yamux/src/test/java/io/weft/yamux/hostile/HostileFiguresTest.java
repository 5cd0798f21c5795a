package io.weft.yamux.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.yamux.hostile.Attacks.Outcome;
import io.weft.yamux.hostile.Attacks.Scale;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The figures of docs/reliability.md: every attack of {@link Attacks}, at {@link Scale#LONG},
 * against Weft's echo server and hashicorp/yamux's, each in a fresh process of its own, measured the
 * same way (the response and reaction time seen by the attacker; heap after a full GC, threads or
 * goroutines, and RSS of the victim's process, before, during and after; a healthy client echoing
 * on another connection throughout). Prints a Markdown table and writes it to
 * {@code yamux/target/hostile-figures.md}.
 *
 * <p>Run: {@code ./build test -Pstress -pl netpoll,netpoll-epoll,yamux -Dtest=HostileFiguresTest
 * -Dsurefire.failIfNoSpecifiedTests=false} (add {@code -Dhostile.only=TEXT} for the attacks whose name
 * contains TEXT). It asserts only that Weft's healthy client survived
 * every attack; the correctness assertions live in {@link HostilePeerAttackTest}.
 */
@Tag("stress")
class HostileFiguresTest {

    private static final Scale SCALE = Scale.LONG;
    private static final double MIB = 1024 * 1024;

    @FunctionalInterface
    private interface Run {
        Outcome on(Victim victim) throws Exception;
    }

    private static Map<String, Run> attacks() {
        Duration patience = Attacks.PATIENCE;
        Map<String, Run> attacks = new LinkedHashMap<>();
        attacks.put("ping burst: 64 pings in one write, all replies read", v -> Attacks.pingBurst(v, 64));
        attacks.put("ping flood: " + SCALE.pings() + " pings, all replies read", v -> Attacks.pingFlood(v, SCALE.pings()));
        attacks.put("ping flood, replies never read: " + SCALE.unreadPings() + " pings",
                v -> Attacks.unreadFlood(v, SCALE.unreadPings(), false));
        attacks.put("window update overflow (+2^32-1 on a live stream)", v -> Attacks.windowUpdateOverflow(v, patience));
        attacks.put("data frame of 2^32-1 bytes announced on a new stream", v -> Attacks.oversizedDataOnNewStream(v, patience));
        attacks.put("data beyond the window (256 KiB + 1) on a live stream", v -> Attacks.dataBeyondWindowOnLiveStream(v, patience));
        attacks.put("Data|RST announcing 0xFFFFFF00 bytes on a live stream", v -> Attacks.hugeDataRst(v, patience));
        attacks.put("SYN with the server's id parity (id 2)", v -> Attacks.synWithServerParity(v, patience));
        attacks.put("SYN reusing a live stream's id", v -> Attacks.duplicateSyn(v, patience));
        attacks.put("SYN reusing a finished stream's id", v -> Attacks.idReuseAfterClose(v, patience));
        attacks.put("unknown frame type 4", v -> Attacks.unknownType(v, patience));
        attacks.put("unknown version 1", v -> Attacks.unknownVersion(v, patience));
        attacks.put("4 KiB of random bytes", v -> Attacks.garbage(v, patience));
        attacks.put("an HTTP/1.1 request", v -> Attacks.httpRequest(v, patience));
        attacks.put("SYN flood: " + (1000 + SCALE.syns()) + " SYNs, replies read", v -> Attacks.synFlood(v, 1000 + SCALE.syns()));
        attacks.put("SYN flood, replies never read: " + SCALE.unreadPings() + " SYNs",
                v -> Attacks.unreadFlood(v, SCALE.unreadPings(), true));
        attacks.put("rapid reset: " + SCALE.resets() + " × (SYN, RST)", v -> Attacks.rapidReset(v, SCALE.resets()));
        attacks.put("SYN|RST flood: " + SCALE.resets() + " frames", v -> Attacks.synRstFlood(v, SCALE.resets()));
        attacks.put("zero-length data flood: " + SCALE.zeroFrames() + " frames", v -> Attacks.zeroLengthFlood(v, SCALE.zeroFrames(), true));
        attacks.put("zero window update flood: " + SCALE.zeroFrames() + " frames",
                v -> Attacks.zeroLengthFlood(v, SCALE.zeroFrames(), false));
        attacks.put("slow reader: " + SCALE.slowStreams() + " streams × 256 KiB echoed, never read",
                v -> Attacks.slowReader(v, SCALE.slowStreams(), Duration.ofSeconds(30)));
        return attacks;
    }

    private interface VictimFactory {
        ChildVictim start() throws IOException;
    }

    @Test
    @Timeout(1800)
    void attackWeftAndHashicorpAndPrintTheTable() throws Exception {
        StringBuilder table = new StringBuilder();
        table.append("| Attack | Weft: response | react | heap Δ during → after | threads Δ | RSS Δ during → after"
                + " | hashicorp: response | react | heap Δ during → after | goroutines Δ | RSS Δ during → after"
                + " | healthy client (Weft / hashicorp) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<String> weftHealthFailures = new ArrayList<>();
        String only = System.getProperty("hostile.only", "");
        for (Map.Entry<String, Run> attack : attacks().entrySet()) {
            if (!attack.getKey().contains(only)) {
                continue;
            }
            Cell weft = measure(attack.getValue(), ChildVictim::weft);
            Cell hashicorp = measure(attack.getValue(), ChildVictim::hashicorp);
            if (!weft.health().startsWith("ok")) {
                weftHealthFailures.add(attack.getKey() + ": " + weft.health());
            }
            String row = "| " + attack.getKey().replace("|", "\\|") + " | " + weft.columns() + " | " + hashicorp.columns() + " | "
                    + weft.health() + " / " + hashicorp.health() + " |";
            table.append(row).append('\n');
            System.out.println(row);
        }
        String header = "Measured " + java.time.LocalDate.now() + " on " + Runtime.getRuntime().availableProcessors()
                + " cores, Java " + Runtime.version() + ", scale " + SCALE + "\n\n";
        Path out = Path.of("target", "hostile-figures.md");
        Files.writeString(out, header + table, StandardCharsets.UTF_8);
        System.out.println(header + table);
        assertThat(weftHealthFailures).as("Weft's healthy client failed during").isEmpty();
    }

    /** One victim's figures for one attack. */
    private record Cell(Outcome outcome, Victim.Snapshot before, Victim.Snapshot after, String health) {

        String columns() {
            Victim.Snapshot during = outcome.during();
            return outcome.response() + " | " + outcome.reaction() + " | "
                    + mib(during.heapBytes() - before.heapBytes()) + " → " + mib(after.heapBytes() - before.heapBytes())
                    + " | " + signed(during.threads() - before.threads()) + " → " + signed(after.threads() - before.threads())
                    + " | " + mib(during.rssBytes() - before.rssBytes()) + " → " + mib(after.rssBytes() - before.rssBytes());
        }
    }

    private static Cell measure(Run attack, VictimFactory factory) throws Exception {
        try (ChildVictim victim = factory.start()) {
            // Warm up: one protocol error and one echo, so a fresh JVM's first-time class loading and
            // logging set-up (100-300 ms, once per process) is not charged to the attack measured.
            Attacks.unknownType(victim, Duration.ofSeconds(2));
            HealthyClient.freshEcho(victim.address(), 64 * 1024);
            try (HealthyClient healthy = new HealthyClient(victim.address())) {
                Victim.Snapshot before = victim.snapshot();
                Outcome outcome;
                try {
                    outcome = attack.on(victim);
                } catch (Exception e) {
                    outcome = new Outcome("attack failed: " + e, -1, victim.snapshot());
                }
                Attacks.settled(victim, before, Duration.ofSeconds(15));
                Victim.Snapshot after = victim.snapshot();
                return new Cell(outcome, before, after, health(healthy, victim));
            }
        }
    }

    private static String health(HealthyClient healthy, Victim victim) {
        if (healthy.failure() != null) {
            return "failed: " + healthy.failure().getMessage();
        }
        try {
            HealthyClient.freshEcho(victim.address(), 64 * 1024);
        } catch (IOException e) {
            return "new client failed: " + e;
        }
        return "ok, slowest " + healthy.slowest().toMillis() + " ms";
    }

    private static String mib(long bytes) {
        return String.format("%+.1f MiB", bytes / MIB);
    }

    private static String signed(long n) {
        return String.format("%+d", n);
    }
}

package io.weft.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Ends a benchmark process that overran its budget, after printing where its threads are to
 * stderr (the cell's log), so a hang leaves evidence instead of only a timeout. Runs on one
 * daemon platform thread per process.
 */
final class Watchdog {

    private Watchdog() {}

    /** Halts the JVM with status 3 if it is still running after {@code budget}. */
    static void start(Duration budget, String what) {
        Thread.ofPlatform().daemon().name("bench-watchdog").start(() -> {
            try {
                Thread.sleep(budget); // the budget itself, not synchronisation
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("watchdog: " + what + " did not finish within " + budget.toSeconds() + " s; threads:");
            int shown = 0;
            // Harness threads (main, acceptor) first: they say which phase overran.
            List<Map.Entry<Thread, StackTraceElement[]>> threads = new ArrayList<>(Thread.getAllStackTraces().entrySet());
            threads.sort(Comparator.comparing(e -> e.getKey().getName().matches("bench-\\d+")));
            for (Map.Entry<Thread, StackTraceElement[]> e : threads) {
                if (shown++ == 12) {
                    System.err.println("  ... (more threads not shown)");
                    break;
                }
                System.err.println("  " + e.getKey());
                StackTraceElement[] frames = e.getValue();
                for (int i = 0; i < Math.min(frames.length, 12); i++) {
                    System.err.println("      at " + frames[i]);
                }
            }
            System.err.flush();
            Runtime.getRuntime().halt(3);
        });
    }
}

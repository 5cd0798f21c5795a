package io.weft.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGINT/SIGTERM handling through a JVM shutdown hook (the supported way; {@code sun.misc.Signal}
 * is not). When a signal arrives before the command has finished, the hook runs every registered
 * {@link Drain} — send GoAway, stop accepting, wait briefly for open streams — then prints the
 * command's final stats on stderr and halts with exit code 130. When the command finished on its
 * own, the hook does nothing and the command's exit code stands.
 *
 * <p>Threads: {@link #register} and {@link #finished} from command threads; drains run on the
 * JVM's shutdown-hook thread, each bounded by the drain timeout the command passed.
 */
final class Shutdown {

    /** Work to do when interrupted, in registration order. */
    @FunctionalInterface
    interface Drain {
        /** Starts a graceful stop and waits for it at most {@code budget}. */
        void drain(Duration budget) throws Exception;
    }

    private static final List<Drain> DRAINS = new CopyOnWriteArrayList<>();
    private static final List<Runnable> FINAL_REPORTS = new CopyOnWriteArrayList<>();
    private static final AtomicBoolean FINISHED = new AtomicBoolean();
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    private static volatile Duration drainBudget = Duration.ofSeconds(2);

    private Shutdown() {}

    /** Installs the hook once; later calls only update the drain budget. */
    static void install(Duration budget) {
        drainBudget = budget;
        if (INSTALLED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(Shutdown::onSignal, "weft-shutdown"));
        }
    }

    /** Adds work to run on SIGINT/SIGTERM. */
    static void register(Drain drain) {
        DRAINS.add(drain);
    }

    /** Adds a report (final stats) to print on stderr after draining. */
    static void onExitReport(Runnable report) {
        FINAL_REPORTS.add(report);
    }

    /** Marks the command as done: from now on the hook lets the exit code stand. */
    static void finished() {
        FINISHED.set(true);
    }

    private static void onSignal() {
        if (FINISHED.get()) {
            return;
        }
        long deadline = System.nanoTime() + drainBudget.toNanos();
        for (Drain d : DRAINS) {
            long left = deadline - System.nanoTime();
            try {
                d.drain(Duration.ofNanos(Math.max(0, left)));
            } catch (Exception | Error e) {
                System.err.println("weft: while stopping: " + Failures.describe(e));
            }
        }
        for (Runnable report : FINAL_REPORTS) {
            try {
                report.run();
            } catch (RuntimeException e) {
                System.err.println("weft: final stats unavailable: " + Failures.describe(e));
            }
        }
        System.err.flush();
        System.out.flush();
        Runtime.getRuntime().halt(Failures.INTERRUPTED);
    }
}

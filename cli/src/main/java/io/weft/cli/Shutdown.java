package io.weft.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stopping on signals, as services and terminals expect. SIGTERM and SIGINT get handlers of
 * their own ({@code sun.misc.Signal}, in {@code jdk.unsupported}: the only JDK API that tells
 * the two apart and sees a second Ctrl-C; a shutdown hook sees neither), and a JVM shutdown
 * hook covers every other way the JVM is asked to exit (SIGHUP, or handlers the JVM would not
 * give, as with {@code -Xrs}):
 *
 * <ul>
 *   <li><b>SIGTERM</b> (what {@code systemctl stop} and {@code kill} send): graceful. Every
 *       registered {@link Drain} runs — GoAway, stop accepting, wait for open streams at most
 *       the drain timeout — then the final stats go to stderr and the process exits with
 *       {@link Failures#OK} for a service ({@link #installService}), 130 for the others (a
 *       benchmark stopped early is not a success). A second SIGTERM changes nothing;</li>
 *   <li><b>SIGINT</b> (Ctrl-C): the same drain, announced with {@code shutting down (Ctrl-C again
 *       to force)}, exit 130; a second Ctrl-C while it drains exits at once with 130.</li>
 * </ul>
 *
 * When the command finished on its own first, signals change nothing and its exit code stands;
 * when a drain is under way as the command returns, {@link #finished} waits for the drain to
 * end the process (the drain is what decides the exit code).
 *
 * <p>State: one {@link State} value, changed only through {@link #decide}, a pure function of
 * the state and the event. Threads: {@link #register} and {@link #finished} from command
 * threads; each signal is handled on a thread of its own (the JDK starts one per signal), so a
 * second Ctrl-C is seen while the first one's drain runs; the hook runs on the JVM's
 * shutdown-hook thread.
 */
final class Shutdown {

    /** Work to do when stopping, in registration order. */
    @FunctionalInterface
    interface Drain {
        /** Starts a graceful stop and waits for it at most {@code budget}. */
        void drain(Duration budget) throws Exception;
    }

    /** Where the process is on its way out. */
    enum State {
        /** The command runs; a signal starts a drain. Goes to DRAINING (signal) or FINISHED. */
        RUNNING,
        /** A graceful stop is under way; a Ctrl-C forces; ends with the process (halt). */
        DRAINING,
        /** The command returned; its exit code stands. Final. */
        FINISHED
    }

    /** What happened. */
    enum Event { SIGTERM, SIGINT, JVM_EXIT, COMMAND_FINISHED }

    /** What to do about it. */
    enum Action { DRAIN, FORCE, WAIT_FOR_DRAIN, NOTHING }

    /** The next state and the action, from {@link #decide}. */
    record Decision(State next, Action action) {}

    private static final System.Logger LOG = System.getLogger("io.weft.cli.shutdown");
    private static final List<Drain> DRAINS = new CopyOnWriteArrayList<>();
    private static final List<Runnable> FINAL_REPORTS = new CopyOnWriteArrayList<>();
    private static final AtomicReference<State> STATE = new AtomicReference<>(State.RUNNING);
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    /** Never counted down: what a thread waits on while another one's drain ends the process. */
    private static final CountDownLatch FOREVER = new CountDownLatch(1);
    private static volatile Duration drainBudget = Duration.ofSeconds(2);
    private static volatile int sigtermExitCode = Failures.INTERRUPTED;

    private Shutdown() {}

    /**
     * The transition function: what {@code event} does in {@code state}. Pure.
     */
    static Decision decide(State state, Event event) {
        return switch (state) {
            case RUNNING -> switch (event) {
                case SIGTERM, SIGINT, JVM_EXIT -> new Decision(State.DRAINING, Action.DRAIN);
                case COMMAND_FINISHED -> new Decision(State.FINISHED, Action.NOTHING);
            };
            case DRAINING -> switch (event) {
                case SIGINT -> new Decision(State.DRAINING, Action.FORCE);
                case SIGTERM -> new Decision(State.DRAINING, Action.NOTHING);
                case JVM_EXIT, COMMAND_FINISHED -> new Decision(State.DRAINING, Action.WAIT_FOR_DRAIN);
            };
            case FINISHED -> new Decision(State.FINISHED, Action.NOTHING);
        };
    }

    /**
     * Installs the handlers once, for a command whose SIGTERM ends in exit code 130; later calls
     * only update the drain budget.
     */
    static void install(Duration budget) {
        drainBudget = budget;
        if (INSTALLED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> on(Event.JVM_EXIT), "weft-shutdown"));
            handle("TERM", Event.SIGTERM);
            handle("INT", Event.SIGINT);
        }
    }

    /** As {@link #install}, for a service ({@code tunnel}, {@code echo}): a graceful SIGTERM exits 0. */
    static void installService(Duration budget) {
        sigtermExitCode = Failures.OK;
        install(budget);
    }

    /** Adds work to run when stopping. */
    static void register(Drain drain) {
        DRAINS.add(drain);
    }

    /** Adds a report (final stats) to print on stderr after draining. */
    static void onExitReport(Runnable report) {
        FINAL_REPORTS.add(report);
    }

    /**
     * Marks the command as done: from now on signals let its exit code stand. While a drain runs,
     * waits for it to end the process instead (does not return).
     */
    static void finished() {
        on(Event.COMMAND_FINISHED);
    }

    private static void handle(String signal, Event event) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> on(event));
        } catch (IllegalArgumentException e) {
            // The JVM keeps this signal (-Xrs, or it cannot be handled here): the hook covers it.
            LOG.log(System.Logger.Level.DEBUG, () -> "SIG" + signal + " left to the JVM: " + e.getMessage());
        }
    }

    private static void on(Event event) {
        Decision decision;
        State state;
        do {
            state = STATE.get();
            decision = decide(state, event);
        } while (!STATE.compareAndSet(state, decision.next()));
        switch (decision.action()) {
            case DRAIN -> drainAndHalt(event);
            case FORCE -> Runtime.getRuntime().halt(Failures.INTERRUPTED);
            case WAIT_FOR_DRAIN -> awaitForever();
            case NOTHING -> { }
        }
    }

    private static void drainAndHalt(Event event) {
        Duration budget = drainBudget;
        if (!DRAINS.isEmpty()) {
            if (event == Event.SIGINT) {
                System.err.println("weft: shutting down (Ctrl-C again to force)");
            } else {
                LOG.log(System.Logger.Level.INFO, "shutting down (" + (event == Event.SIGTERM ? "SIGTERM" : "exit")
                        + "): GoAway sent, open streams have up to " + GoDuration.format(budget) + " to finish");
            }
        }
        long deadline = System.nanoTime() + budget.toNanos();
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
        Runtime.getRuntime().halt(event == Event.SIGTERM ? sigtermExitCode : Failures.INTERRUPTED);
    }

    private static void awaitForever() {
        while (true) {
            try {
                FOREVER.await();
            } catch (InterruptedException e) {
                // Keep waiting: the drain ends the process.
            }
        }
    }
}

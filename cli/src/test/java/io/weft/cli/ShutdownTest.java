package io.weft.cli;

import static io.weft.cli.Shutdown.Action.DRAIN;
import static io.weft.cli.Shutdown.Action.FORCE;
import static io.weft.cli.Shutdown.Action.NOTHING;
import static io.weft.cli.Shutdown.Action.WAIT_FOR_DRAIN;
import static io.weft.cli.Shutdown.Event.COMMAND_FINISHED;
import static io.weft.cli.Shutdown.Event.JVM_EXIT;
import static io.weft.cli.Shutdown.Event.SIGINT;
import static io.weft.cli.Shutdown.Event.SIGTERM;
import static io.weft.cli.Shutdown.State.DRAINING;
import static io.weft.cli.Shutdown.State.FINISHED;
import static io.weft.cli.Shutdown.State.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Shutdown#decide}: the whole transition table (the processes are in {@link ServiceEndToEndTest}). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ShutdownTest {

    private static Shutdown.Decision d(Shutdown.State next, Shutdown.Action action) {
        return new Shutdown.Decision(next, action);
    }

    @Test
    void aSignalWhileRunningStartsTheDrain() {
        assertThat(Shutdown.decide(RUNNING, SIGTERM)).isEqualTo(d(DRAINING, DRAIN));
        assertThat(Shutdown.decide(RUNNING, SIGINT)).isEqualTo(d(DRAINING, DRAIN));
        assertThat(Shutdown.decide(RUNNING, JVM_EXIT)).isEqualTo(d(DRAINING, DRAIN));
        assertThat(Shutdown.decide(RUNNING, COMMAND_FINISHED)).isEqualTo(d(FINISHED, NOTHING));
    }

    @Test
    void whileDrainingCtrlCForcesAndEverythingElseWaitsForTheDrain() {
        assertThat(Shutdown.decide(DRAINING, SIGINT)).isEqualTo(d(DRAINING, FORCE));
        assertThat(Shutdown.decide(DRAINING, SIGTERM)).isEqualTo(d(DRAINING, NOTHING));
        assertThat(Shutdown.decide(DRAINING, JVM_EXIT)).isEqualTo(d(DRAINING, WAIT_FOR_DRAIN));
        assertThat(Shutdown.decide(DRAINING, COMMAND_FINISHED)).isEqualTo(d(DRAINING, WAIT_FOR_DRAIN));
    }

    @Test
    void afterTheCommandFinishedSignalsChangeNothing() {
        for (Shutdown.Event e : Shutdown.Event.values()) {
            assertThat(Shutdown.decide(FINISHED, e)).isEqualTo(d(FINISHED, NOTHING));
        }
    }
}

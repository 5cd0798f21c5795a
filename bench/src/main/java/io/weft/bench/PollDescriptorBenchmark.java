package io.weft.bench;

import io.weft.netpoll.spi.PollDescriptor;
import io.weft.netpoll.spi.PollStatus;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: the poll descriptor's readiness hand-off without any socket. {@code latchedEvent}: an event
 * that arrives before the waiter (the CAS-only fast path). {@code parkedHandOff}: a full round
 * trip between the benchmark thread and a partner thread, each parking until the other notifies
 * it (park/unpark both ways), with a platform or virtual partner.
 * Run: {@code java -jar bench/target/benchmarks.jar PollDescriptor}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PollDescriptorBenchmark {

    private final PollDescriptor latched = new PollDescriptor();

    /** Two descriptors and the partner thread that answers on the second. */
    @State(Scope.Benchmark)
    public static class HandOff {
        /** The partner thread's kind. */
        @Param({"virtual", "platform"})
        public String partner;

        final PollDescriptor ping = new PollDescriptor();
        final PollDescriptor pong = new PollDescriptor();
        private Thread partnerThread;

        /** Starts the partner: wait for ping, notify pong, until ping is closed. */
        @Setup(Level.Trial)
        public void startPartner() {
            Runnable echo = () -> {
                while (ping.awaitRead() == PollStatus.READY) {
                    pong.notifyReadable();
                }
            };
            partnerThread = partner.equals("virtual") ? Thread.ofVirtual().start(echo) : Thread.ofPlatform().start(echo);
        }

        /** Closing ping releases the partner. */
        @TearDown(Level.Trial)
        public void stopPartner() throws InterruptedException {
            ping.close();
            partnerThread.join();
        }
    }

    /** Readiness latched before the waiter arrives: no park. */
    @Benchmark
    public PollStatus latchedEvent() {
        latched.notifyReadable();
        return latched.awaitRead();
    }

    /** Notify the partner and park until it notifies back. */
    @Benchmark
    public PollStatus parkedHandOff(HandOff handOff) {
        handOff.ping.notifyReadable();
        return handOff.pong.awaitRead();
    }
}

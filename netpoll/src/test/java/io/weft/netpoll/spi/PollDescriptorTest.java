package io.weft.netpoll.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PollDescriptorTest {

    @Test
    void eventBeforeWaitIsLatchedAndConsumedOnce() {
        PollDescriptor poll = new PollDescriptor();
        poll.notifyReadable();
        assertThat(poll.awaitRead()).isEqualTo(PollStatus.READY);
        poll.setReadDeadline(PollDescriptor.deadlineNanosAfter(Duration.ofMillis(20)));
        assertThat(poll.awaitRead()).isEqualTo(PollStatus.TIMED_OUT);
    }

    @Test
    void prepareDropsStaleEvent() {
        PollDescriptor poll = new PollDescriptor();
        poll.notifyWritable();
        assertThat(poll.prepareWrite()).isEqualTo(PollStatus.READY);
        poll.setWriteDeadline(PollDescriptor.EXPIRED);
        assertThat(poll.awaitWrite()).isEqualTo(PollStatus.TIMED_OUT);
    }

    @Test
    void directionsAreIndependent() {
        PollDescriptor poll = new PollDescriptor();
        poll.notifyWritable();
        poll.setReadDeadline(PollDescriptor.EXPIRED);
        assertThat(poll.awaitRead()).isEqualTo(PollStatus.TIMED_OUT);
        assertThat(poll.awaitWrite()).isEqualTo(PollStatus.READY);
    }

    @Test
    void notifyWakesParkedWaiter() throws Exception {
        PollDescriptor poll = new PollDescriptor();
        CompletableFuture<PollStatus> result = CompletableFuture.supplyAsync(poll::awaitRead, PollDescriptorTest::virtual);
        awaitParked(poll, true);
        poll.notifyReadable();
        assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.READY);
    }

    @Test
    void closeWakesBothWaitersAndFailsLaterWaits() throws Exception {
        PollDescriptor poll = new PollDescriptor();
        CompletableFuture<PollStatus> reader = CompletableFuture.supplyAsync(poll::awaitRead, PollDescriptorTest::virtual);
        CompletableFuture<PollStatus> writer = CompletableFuture.supplyAsync(poll::awaitWrite, PollDescriptorTest::platform);
        awaitParked(poll, true);
        awaitParked(poll, false);
        assertThat(poll.close()).isTrue();
        assertThat(reader.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.CLOSED);
        assertThat(writer.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.CLOSED);
        assertThat(poll.prepareRead()).isEqualTo(PollStatus.CLOSED);
        assertThat(poll.close()).isFalse();
    }

    @Test
    void earlierDeadlineWakesWaiterAndLaterOneExtendsIt() throws Exception {
        PollDescriptor poll = new PollDescriptor();
        poll.setReadDeadline(PollDescriptor.deadlineNanosAfter(Duration.ofHours(1)));
        long start = System.nanoTime();
        CompletableFuture<PollStatus> waiter = CompletableFuture.supplyAsync(poll::awaitRead, PollDescriptorTest::virtual);
        awaitParked(poll, true);
        poll.setReadDeadline(PollDescriptor.deadlineNanosAfter(Duration.ofMillis(50)));
        poll.setReadDeadline(PollDescriptor.deadlineNanosAfter(Duration.ofMillis(300)));
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.TIMED_OUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void pastDeadlineWakesWaiterAtOnce() throws Exception {
        PollDescriptor poll = new PollDescriptor();
        CompletableFuture<PollStatus> waiter = CompletableFuture.supplyAsync(poll::awaitWrite, PollDescriptorTest::platform);
        awaitParked(poll, false);
        poll.setWriteDeadline(PollDescriptor.deadlineNanos(Instant.now().minusSeconds(1)));
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.TIMED_OUT);
    }

    @Test
    void interruptEndsWaitAndKeepsFlag() throws Exception {
        PollDescriptor poll = new PollDescriptor();
        CompletableFuture<Boolean> flagKept = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            PollStatus status = poll.awaitRead();
            flagKept.complete(status == PollStatus.INTERRUPTED && Thread.currentThread().isInterrupted());
        });
        awaitParked(poll, true);
        waiter.interrupt();
        assertThat(flagKept.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(poll.isClosing()).isFalse();
    }

    /**
     * Defect 2 of issue 13: two setters moving one deadline at once. Setter S moves it from a
     * passed time E to M (later than E, so on its own no wake-up is needed); just before S
     * stores M, setter T moves it to L, an hour away, and a waiter parks for L. The deadline
     * ends as M, so the waiter must wake at M: a setter that compared M with the E it read
     * earlier, not with the L it replaced, left the waiter asleep for an hour.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void concurrentDeadlineSettersNeverLeaveAWaiterAsleepPastTheFinalDeadline() throws Exception {
        PollDescriptor poll = new PollDescriptor();
        poll.setReadDeadline(PollDescriptor.nanoTime()); // E: already passed
        CompletableFuture<PollStatus> waiter = new CompletableFuture<>();
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        PollDescriptor.beforeDeadlineStore = () -> {
            PollDescriptor.beforeDeadlineStore = null; // only S's store is interleaved
            poll.setReadDeadline(PollDescriptor.deadlineNanosAfter(Duration.ofHours(1))); // T: L
            waiterThread.set(Thread.ofPlatform().daemon().start(() -> waiter.complete(poll.awaitRead())));
            await().atMost(Duration.ofSeconds(5)).until(() -> poll.hasReadWaiter()
                    && waiterThread.get().getState() == Thread.State.TIMED_WAITING);
        };
        try {
            long start = System.nanoTime();
            poll.setReadDeadline(PollDescriptor.deadlineNanosAfter(Duration.ofMillis(300))); // S: M
            assertThat(poll.readDeadlineNanos()).isLessThan(PollDescriptor.deadlineNanosAfter(Duration.ofMinutes(1)));
            assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(PollStatus.TIMED_OUT);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        } finally {
            PollDescriptor.beforeDeadlineStore = null;
            poll.close();
        }
    }

    @Test
    void handleIsReleasedOnceByLastCallAfterClose() {
        PollDescriptor poll = new PollDescriptor();
        assertThat(poll.acquire()).isTrue();
        assertThat(poll.acquire()).isTrue();
        assertThat(poll.close()).as("calls in flight").isFalse();
        assertThat(poll.acquire()).as("closing").isFalse();
        assertThat(poll.release()).isFalse();
        assertThat(poll.isReleased()).isFalse();
        assertThat(poll.release()).isTrue();
        assertThat(poll.isReleased()).isTrue();
    }

    @Test
    void closeWithNothingInFlightReleasesAtOnce() {
        PollDescriptor poll = new PollDescriptor();
        assertThat(poll.acquire()).isTrue();
        assertThat(poll.release()).isFalse();
        assertThat(poll.close()).isTrue();
        assertThat(poll.isReleased()).isTrue();
    }

    @Test
    void deadlineMovementsThatNeedAWakeUp() {
        assertThat(PollDescriptor.movedEarlier(PollDescriptor.NO_DEADLINE, 100)).isTrue();
        assertThat(PollDescriptor.movedEarlier(200, 100)).isTrue();
        assertThat(PollDescriptor.movedEarlier(200, PollDescriptor.EXPIRED)).isTrue();
        assertThat(PollDescriptor.movedEarlier(100, 200)).isFalse();
        assertThat(PollDescriptor.movedEarlier(100, PollDescriptor.NO_DEADLINE)).isFalse();
        assertThat(PollDescriptor.movedEarlier(100, 100)).isFalse();
    }

    @Test
    void deadlineConversionKeepsSentinelsApart() {
        assertThat(PollDescriptor.nanoTime()).isPositive();
        assertThat(PollDescriptor.deadlineNanos(null)).isEqualTo(PollDescriptor.NO_DEADLINE);
        assertThat(PollDescriptor.deadlineNanos(Instant.now())).isEqualTo(PollDescriptor.EXPIRED);
        assertThat(PollDescriptor.deadlineNanos(Instant.MAX)).isEqualTo(Long.MAX_VALUE);
        assertThat(PollDescriptor.deadlineNanosAfter(Duration.ZERO)).isEqualTo(PollDescriptor.EXPIRED);
        assertThat(PollDescriptor.deadlineNanos(Instant.now().plusSeconds(10)))
                .isGreaterThan(PollDescriptor.nanoTime() + TimeUnit.SECONDS.toNanos(9));
    }

    /**
     * The race Go's comment warns about: readiness arriving while the waiter is between its
     * "would block" and its park. Every one of the notifications must be delivered: the waiter
     * counts a wake-up per consumed READY, and never hangs (each wait has a deadline so a lost
     * event shows as TIMED_OUT, which fails the test).
     */
    @Test
    void readinessRacingWithParkingIsNeverLost() throws Exception {
        raceReadinessWithParking(2_000, 0x5eedL);
    }

    @Test
    @Tag("stress")
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void readinessRacingWithParkingIsNeverLostOverManyRounds() throws Exception {
        raceReadinessWithParking(200_000, System.nanoTime());
    }

    private static void raceReadinessWithParking(int rounds, long seed) throws Exception {
        race(rounds, seed, () -> {
            PollDescriptor poll = new PollDescriptor();
            poll.setReadDeadline(PollDescriptor.deadlineNanosAfter(Duration.ofSeconds(10)));
            return poll;
        }, PollDescriptor::awaitRead, PollDescriptor::hasReadWaiter, PollDescriptor::notifyReadable, PollStatus.READY);
    }

    /** A stream of events against a waiter that consumes them: every wait ends READY, none hangs. */
    @Test
    void everyNotificationAfterPrepareEndsAWait() throws Exception {
        PollDescriptor poll = new PollDescriptor();
        poll.setWriteDeadline(PollDescriptor.deadlineNanosAfter(Duration.ofSeconds(30)));
        int waits = 5_000;
        AtomicInteger requested = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        Thread poller = Thread.ofPlatform().start(() -> {
            while (served.get() < waits) {
                if (requested.get() > served.get()) {
                    served.incrementAndGet();
                    poll.notifyWritable();
                } else {
                    Thread.onSpinWait();
                }
            }
        });
        for (int i = 0; i < waits; i++) {
            poll.prepareWrite();
            requested.incrementAndGet(); // like arming one-shot interest after EAGAIN
            assertThat(poll.awaitWrite()).as("wait %d", i).isEqualTo(PollStatus.READY);
        }
        poller.join();
    }

    /** Close racing with a waiter about to park: the waiter always ends CLOSED, never hangs. */
    @Test
    void closeRacingWithParkingIsNeverLost() throws Exception {
        raceCloseWithParking(2_000, 42);
    }

    @Test
    @Tag("stress")
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void closeRacingWithParkingIsNeverLostOverManyRounds() throws Exception {
        raceCloseWithParking(200_000, System.nanoTime());
    }

    private static void raceCloseWithParking(int rounds, long seed) throws Exception {
        race(rounds, seed, PollDescriptor::new, PollDescriptor::awaitRead, PollDescriptor::hasReadWaiter,
                PollDescriptor::close, PollStatus.CLOSED);
    }

    /** A past deadline racing with a waiter about to park (no deadline yet): always TIMED_OUT. */
    @Test
    void pastDeadlineRacingWithParkingIsNeverLost() throws Exception {
        race(2_000, 7, PollDescriptor::new, PollDescriptor::awaitWrite, PollDescriptor::hasWriteWaiter,
                poll -> poll.setWriteDeadline(PollDescriptor.EXPIRED), PollStatus.TIMED_OUT);
    }

    /**
     * Runs {@code rounds} races between a waiter ({@code await} on this thread) and a partner
     * thread doing {@code act}. Both meet at a spin barrier and then spin a random while; the
     * partner records whether the waiter had published itself ({@code published}) just before it
     * acted. The waiter's spin has a head start steered by those outcomes (doubled after a round
     * where the waiter published first, halved after one where it did not), which keeps the
     * race centred on the boundary even when the scheduler favours one side, and the test
     * demands enough of both orderings, so it cannot pass by only ever testing one. The waiter
     * must end with {@code expected} every round.
     */
    private static void race(int rounds, long seed, Supplier<PollDescriptor> fresh,
            Function<PollDescriptor, PollStatus> await, Predicate<PollDescriptor> published,
            Consumer<PollDescriptor> act, PollStatus expected) throws Exception {
        Random random = new Random(seed);
        AtomicReference<PollDescriptor> current = new AtomicReference<>();
        AtomicInteger partnerSpins = new AtomicInteger();
        AtomicInteger arrived = new AtomicInteger(); // rounds the partner has reached the barrier for
        AtomicInteger started = new AtomicInteger(); // rounds the waiter has released
        AtomicBoolean actedAfterPublish = new AtomicBoolean();
        Thread partner = Thread.ofPlatform().daemon().start(() -> {
            for (int round = 1; round <= rounds; round++) {
                int thisRound = round;
                arrived.set(round);
                spinUntil(() -> started.get() >= thisRound);
                spin(partnerSpins.get());
                PollDescriptor poll = current.get();
                actedAfterPublish.set(published.test(poll));
                act.accept(poll); // the waiter sees this act, so it sees the flag set before it
            }
        });
        int afterPublish = 0;
        int headStartSpins = 0;
        for (int round = 1; round <= rounds; round++) {
            PollDescriptor poll = fresh.get();
            current.set(poll);
            partnerSpins.set(random.nextInt(400));
            int waiterSpins = headStartSpins + random.nextInt(400);
            int thisRound = round;
            spinUntil(() -> arrived.get() >= thisRound);
            started.set(round);
            spin(waiterSpins);
            assertThat(await.apply(poll)).as("seed %d round %d", seed, round).isEqualTo(expected);
            if (actedAfterPublish.get()) {
                afterPublish++;
                headStartSpins = Math.min(1 << 20, headStartSpins * 2 + 16);
            } else {
                headStartSpins /= 2;
            }
        }
        partner.join();
        System.out.printf("race seed %d: %d of %d acts after the waiter published itself%n", seed, afterPublish, rounds);
        assertThat(afterPublish).as("rounds where the waiter had published itself before the act")
                .isBetween(rounds / 20, rounds - rounds / 20);
    }

    // ------------------------------------------------------------------ kernel waiters (issue 12)

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void kernelWaiterIsLeftToTheKernelByNotifyAndWokenByClose() throws Exception {
        PollDescriptor poll = new PollDescriptor();
        FakeKernelWaiter waiter = new FakeKernelWaiter();
        CompletableFuture<PollStatus> reader =
                CompletableFuture.supplyAsync(() -> poll.awaitRead(waiter), PollDescriptorTest::platform);
        awaitParked(poll, true);
        // A stale event must not replace the waiter with a latch that close would then not see.
        assertThat(poll.notifyReadable()).isEqualTo(PollDescriptor.Delivery.PLATFORM_THREAD);
        assertThat(poll.hasReadWaiter()).isTrue();
        assertThat(waiter.wakes.get()).isZero();
        assertThat(poll.close()).isTrue();
        assertThat(reader.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.CLOSED);
        assertThat(waiter.wakes.get()).isEqualTo(1);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void kernelWaiterReturnsReadyWhenTheSocketIsAndTimesOutAtAnEarlierDeadline() throws Exception {
        PollDescriptor poll = new PollDescriptor();
        FakeKernelWaiter waiter = new FakeKernelWaiter();
        CompletableFuture<PollStatus> ready =
                CompletableFuture.supplyAsync(() -> poll.awaitRead(waiter), PollDescriptorTest::platform);
        awaitParked(poll, true);
        waiter.socketBecomesReady();
        assertThat(ready.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.READY);
        assertThat(poll.hasReadWaiter()).isFalse();

        FakeKernelWaiter second = new FakeKernelWaiter();
        CompletableFuture<PollStatus> timedOut =
                CompletableFuture.supplyAsync(() -> poll.awaitRead(second), PollDescriptorTest::platform);
        awaitParked(poll, true);
        poll.setReadDeadline(PollDescriptor.EXPIRED);
        assertThat(timedOut.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.TIMED_OUT);
        assertThat(second.wakes.get()).isEqualTo(1);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void virtualThreadParksEvenWhenOfferedAKernelWaiter() throws Exception {
        PollDescriptor poll = new PollDescriptor();
        FakeKernelWaiter waiter = new FakeKernelWaiter();
        CompletableFuture<PollStatus> reader =
                CompletableFuture.supplyAsync(() -> poll.awaitRead(waiter), PollDescriptorTest::virtual);
        awaitParked(poll, true);
        assertThat(poll.notifyReadable()).isEqualTo(PollDescriptor.Delivery.VIRTUAL_THREAD);
        assertThat(reader.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.READY);
        assertThat(waiter.blocks.get()).isZero();
        assertThat(poll.notifyWritable()).isEqualTo(PollDescriptor.Delivery.LATCHED);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aReadLatchedAfterAPlatformReaderSaysSoAndOneAfterAVirtualReaderDoesNot() throws Exception {
        PollDescriptor poll = new PollDescriptor();
        assertThat(poll.notifyReadable()).as("nobody has read yet").isEqualTo(PollDescriptor.Delivery.LATCHED);
        assertThat(poll.awaitRead()).isEqualTo(PollStatus.READY); // takes the latch without waiting

        FakeKernelWaiter waiter = new FakeKernelWaiter();
        CompletableFuture<PollStatus> platform =
                CompletableFuture.supplyAsync(() -> poll.awaitRead(waiter), PollDescriptorTest::platform);
        awaitParked(poll, true);
        waiter.socketBecomesReady(); // the kernel woke it: the slot is empty when the poller's event comes
        assertThat(platform.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.READY);
        assertThat(poll.notifyReadable()).isEqualTo(PollDescriptor.Delivery.LATCHED_FOR_PLATFORM);
        assertThat(poll.awaitRead()).isEqualTo(PollStatus.READY);

        CompletableFuture<PollStatus> virtual =
                CompletableFuture.supplyAsync(() -> poll.awaitRead(waiter), PollDescriptorTest::virtual);
        awaitParked(poll, true);
        assertThat(poll.notifyReadable()).isEqualTo(PollDescriptor.Delivery.VIRTUAL_THREAD);
        assertThat(virtual.get(5, TimeUnit.SECONDS)).isEqualTo(PollStatus.READY);
        assertThat(poll.notifyReadable()).as("the last reader was virtual").isEqualTo(PollDescriptor.Delivery.LATCHED);
    }

    /** Blocks on a semaphore instead of poll(2); counts its blocks and wake-ups. */
    private static final class FakeKernelWaiter implements KernelWaiter {
        final Semaphore released = new Semaphore(0);
        final AtomicInteger wakes = new AtomicInteger();
        final AtomicInteger blocks = new AtomicInteger();
        volatile boolean socketReady;

        @Override
        public boolean blockUntilReadable(long timeoutNanos) {
            blocks.incrementAndGet();
            try {
                if (timeoutNanos < 0) {
                    released.acquire();
                } else {
                    released.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return socketReady;
        }

        @Override
        public void wake() {
            wakes.incrementAndGet();
            released.release();
        }

        void socketBecomesReady() {
            socketReady = true;
            released.release();
        }
    }

    private static void spin(int times) {
        for (int i = 0; i < times; i++) {
            Thread.onSpinWait();
        }
    }

    /** Spins until {@code condition}; yields now and then so a busy machine still gets there. */
    private static void spinUntil(BooleanSupplier condition) {
        for (int i = 1; !condition.getAsBoolean(); i++) {
            if ((i & 0xff) == 0) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private static void awaitParked(PollDescriptor poll, boolean read) {
        await().atMost(Duration.ofSeconds(5)).until(() -> read ? poll.hasReadWaiter() : poll.hasWriteWaiter());
    }

    private static void virtual(Runnable task) {
        Thread.ofVirtual().start(task);
    }

    private static void platform(Runnable task) {
        Thread.ofPlatform().daemon().start(task);
    }
}

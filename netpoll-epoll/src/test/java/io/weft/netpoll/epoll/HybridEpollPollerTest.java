package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weft.netpoll.spi.PollDescriptor;
import io.weft.netpoll.spi.PollStatus;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hybrid poller's hand-off between its platform thread and its virtual assistant: events
 * send polling to the assistant and polling comes back when they stop, no event is lost either
 * way, and an assistant that gets no carrier is covered by the platform thread.
 */
class HybridEpollPollerTest {
    private static final int SOCKETS = 32;

    private EpollPoller poller;
    private final List<SocketPair> pairs = new ArrayList<>();
    private final List<PollDescriptor> descriptors = new ArrayList<>();
    private final List<Long> tags = new ArrayList<>();

    @BeforeEach
    void registerSockets() throws Exception {
        poller = new EpollPoller("hybrid-test");
        for (int i = 0; i < SOCKETS; i++) {
            SocketPair pair = SocketPair.tcp();
            PollDescriptor descriptor = new PollDescriptor();
            pairs.add(pair);
            descriptors.add(descriptor);
            tags.add(poller.register(pair.serverFd(), descriptor));
        }
    }

    @AfterEach
    void closeSockets() throws Exception {
        for (int i = 0; i < pairs.size(); i++) {
            poller.deregister(pairs.get(i).serverFd(), tags.get(i));
            pairs.get(i).close();
        }
        poller.shutdown();
    }

    /** Makes the first {@code count} server sockets readable back to back, then checks each descriptor was told. */
    private void burst(int count) {
        for (int i = 0; i < count; i++) {
            assertThat(descriptors.get(i).prepareRead()).isEqualTo(PollStatus.READY);
        }
        for (int i = 0; i < count; i++) {
            LibC.send(pairs.get(i).clientFd(), MemorySegment.ofArray(new byte[] {1}), 1, LibC.MSG_NOSIGNAL);
        }
        for (int i = 0; i < count; i++) {
            PollDescriptor descriptor = descriptors.get(i);
            descriptor.setReadDeadline(PollDescriptor.deadlineNanosAfter(Duration.ofSeconds(5)));
            assertThat(descriptor.awaitRead()).as("socket %d", i).isEqualTo(PollStatus.READY);
            LibC.read(pairs.get(i).serverFd(), MemorySegment.ofArray(new byte[8]), 8);
        }
    }

    @Test
    void eventsSendPollingToTheAssistantAndItComesBackWithoutLosingEvents() {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            burst(SOCKETS);
            return poller.handOffs() > 0;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> !poller.assistantActive());
        for (int round = 0; round < 20; round++) {
            burst(1); // lone events after the hand-back: the blocked platform thread must see them
        }
        assertThat(poller.assistant().isVirtual()).isTrue();
        assertThat(poller.thread().isVirtual()).isFalse();
    }

    @Test
    void anAssistantWithNoCarrierIsCoveredByThePlatformThread() throws Exception {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch spinning = new CountDownLatch(carriers);
        List<Thread> spinners = new ArrayList<>();
        try {
            for (int i = 0; i < carriers; i++) {
                spinners.add(Thread.ofVirtual().start(() -> {
                    spinning.countDown();
                    while (!stop.get()) {
                        Thread.onSpinWait(); // never yields: holds its carrier
                    }
                }));
            }
            spinning.await();
            // Every carrier is held, so only the platform thread can deliver these events.
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                burst(SOCKETS);
                return poller.stallPolls() > 0;
            });
            burst(SOCKETS);
        } finally {
            stop.set(true);
            for (Thread spinner : spinners) {
                spinner.join();
            }
        }
    }
}

package io.weft.netpoll.epoll;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Native staging areas for gathering writes that include heap buffers, shared by every
 * connection of the process.
 *
 * <p>{@code writev} needs native addresses, and a heap array has none that stays valid inside an
 * iovec, so {@link EpollConn} copies the heap parts of a gather into a staging area and sends the
 * batch with one system call. A connection holds an area only between the copy and the system
 * call's return, which never blocks (the socket is non-blocking), so the areas in use at once are
 * bounded by the threads running such a write, not by the connections: the pool keeps at most
 * {@link #SLOTS} areas of {@link #AREA_BYTES} each (with 2 cores, 4 areas: 512 KiB for the whole
 * process; no connection owns one). When every kept area is in use, {@link #take} allocates a new
 * one, which {@link #give} keeps if a slot is free, else leaves to the garbage collector (areas
 * come from {@link Arena#ofAuto()}).
 *
 * <p>Thread-safe and lock-free: a slot is claimed with {@code getAndSet(null)} and refilled with
 * {@code compareAndSet(null, area)}.
 */
final class StagingPool {
    /**
     * Bytes of one staging area: the most heap bytes one gathering write carries. 128 KiB covers a
     * yamux batch (at most 128 KiB per transport call) in one call.
     */
    static final int AREA_BYTES = 128 * 1024;
    /** Areas kept: twice the processors, at least 4, at most 64. */
    static final int SLOTS = Math.clamp(2L * Runtime.getRuntime().availableProcessors(), 4, 64);

    private static final AtomicReferenceArray<MemorySegment> AREAS = new AtomicReferenceArray<>(SLOTS);

    private StagingPool() {}

    /** A staging area of {@link #AREA_BYTES}, for the caller alone until it {@link #give}s it back. */
    static MemorySegment take() {
        int start = startSlot();
        for (int i = 0; i < SLOTS; i++) {
            MemorySegment area = AREAS.getAndSet((start + i) % SLOTS, null);
            if (area != null) {
                return area;
            }
        }
        return Arena.ofAuto().allocate(AREA_BYTES, 64);
    }

    /** Returns an area from {@link #take}; the caller must not touch it afterwards. */
    static void give(MemorySegment area) {
        int start = startSlot();
        for (int i = 0; i < SLOTS; i++) {
            if (AREAS.compareAndSet((start + i) % SLOTS, null, area)) {
                return;
            }
        }
        // every slot is full: the area is dropped and its memory freed once unreachable
    }

    /** Areas kept in the pool right now; for tests. */
    static int kept() {
        int kept = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (AREAS.get(i) != null) {
                kept++;
            }
        }
        return kept;
    }

    /** Spreads threads over the slots so that they rarely contend for the same one. */
    private static int startSlot() {
        return (int) (Thread.currentThread().threadId() % SLOTS);
    }
}

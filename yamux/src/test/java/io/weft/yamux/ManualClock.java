package io.weft.yamux;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link SessionClock} that moves only when a test calls {@link #advance}: due tasks then run
 * on the advancing thread, in time order, so keepalive, open, close and drain timeouts fire at
 * once and no test waits on the wall clock. Starts at an arbitrary large time. Thread-safe.
 */
final class ManualClock implements SessionClock {
    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long nowNanos = 1_000_000_000_000L;
    private long sequence;

    private final class Task implements Comparable<Task>, Timeout {
        final Runnable action;
        final long periodNanos;
        final long seq = sequence++;
        long dueNanos;
        boolean cancelled;

        Task(Runnable action, long dueNanos, long periodNanos) {
            this.action = action;
            this.dueNanos = dueNanos;
            this.periodNanos = periodNanos;
        }

        @Override
        public int compareTo(Task other) {
            int byTime = Long.compare(dueNanos, other.dueNanos);
            return byTime != 0 ? byTime : Long.compare(seq, other.seq);
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                cancelled = true;
                tasks.remove(this);
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public long nanoTime() {
        lock.lock();
        try {
            return nowNanos;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Timeout schedule(Runnable task, long delayNanos) {
        return add(task, Math.max(0, delayNanos), 0);
    }

    @Override
    public Timeout every(Runnable task, long periodNanos) {
        return add(task, periodNanos, periodNanos);
    }

    private Task add(Runnable action, long delayNanos, long periodNanos) {
        lock.lock();
        try {
            Task task = new Task(action, nowNanos + delayNanos, periodNanos);
            tasks.add(task);
            return task;
        } finally {
            lock.unlock();
        }
    }

    /** Moves time forward by {@code step}, running every task that falls due, in order, on this thread. */
    void advance(Duration step) {
        long targetNanos;
        lock.lock();
        try {
            targetNanos = nowNanos + step.toNanos();
        } finally {
            lock.unlock();
        }
        while (true) {
            Task due;
            lock.lock();
            try {
                due = tasks.peek();
                if (due == null || due.dueNanos > targetNanos) {
                    nowNanos = targetNanos;
                    return;
                }
                tasks.poll();
                nowNanos = Math.max(nowNanos, due.dueNanos);
                if (due.periodNanos > 0) {
                    due.dueNanos = nowNanos + due.periodNanos;
                    tasks.add(due);
                }
            } finally {
                lock.unlock();
            }
            due.action.run();
        }
    }

    /** Runs the tasks due now (scheduled with no delay) without moving time. */
    void runDue() {
        advance(Duration.ZERO);
    }

    /** The number of tasks scheduled and not yet run or cancelled (periodic ones count once). */
    int pendingTasks() {
        lock.lock();
        try {
            return tasks.size();
        } finally {
            lock.unlock();
        }
    }

    /** Descriptions of pending tasks, for assertion messages. */
    List<String> describePending() {
        lock.lock();
        try {
            List<String> out = new ArrayList<>();
            for (Task t : tasks) {
                out.add(t.action + " due in " + (t.dueNanos - nowNanos) + " ns");
            }
            return out;
        } finally {
            lock.unlock();
        }
    }
}

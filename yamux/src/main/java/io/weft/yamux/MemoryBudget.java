package io.weft.yamux;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A memory budget shared by many sessions, so that the sessions of a whole process together stay
 * within a bound instead of each one alone. Each session charges it a fixed
 * {@link #SESSION_BYTES}; each live stream (either direction) its worst-case receive buffer,
 * {@code streamWindowBytes + }{@link #STREAM_OVERHEAD_BYTES}{@code  + }{@link #extraBytesPerStream()};
 * window growth by auto-tuning is charged as it is granted, and is not granted when it does not
 * fit. What does not fit is refused before any memory is used for it:
 * <ul>
 * <li>an inbound stream is refused with RST (as at {@link YamuxConfig#maxInboundStreams()}), and
 *     {@link Session#openStream()} throws {@link LimitExceededException};</li>
 * <li>a new session sends GoAway(2, internal error) as its only frame and starts closed, with a
 *     {@link LimitExceededException} as its {@link Session#closeCause()}.</li>
 * </ul>
 * The session and its other streams keep working. A stream is charged until it has ended and its
 * unread data is gone (the same rule as {@link YamuxConfig#maxInboundStreams()}); a session until
 * it ends, when everything it still holds goes back at once.
 *
 * <p>Default ({@link #processDefault()}): one budget for the whole JVM, of half the maximum heap
 * ({@code Runtime.maxMemory() / 2}), with no cap on the number of sessions or streams beyond what
 * the bytes allow: at the default 256 KiB window a stream is charged 328 KiB, so a 1 GiB heap holds
 * about 1,600 live streams. {@link #unlimited()} turns the bound off.
 *
 * <p>Thread-safe: one internal lock, held only to update the counters (never while blocking).
 */
public final class MemoryBudget {
    /**
     * Fixed charge per session, in bytes: its reader's input buffer (4 KiB, 128 KiB under load), writer queues,
     * threads and bookkeeping (about 140 KiB measured on JDK 25).
     */
    public static final long SESSION_BYTES = 160 * 1024;
    /**
     * Fixed charge per stream beyond its receive window, in bytes: the stream's objects (about
     * 1.5 KiB) and the slack of its receive chunks (a partly read 64 KiB head chunk, and up to
     * 4 KiB unused at the tail).
     */
    public static final long STREAM_OVERHEAD_BYTES = 72 * 1024;

    private static final MemoryBudget UNLIMITED = builder().build();
    private static final MemoryBudget PROCESS_DEFAULT =
            builder().maxBytes(Runtime.getRuntime().maxMemory() / 2).build();

    private final long maxBytes;
    private final int maxSessions;
    private final int maxStreams;
    private final long extraBytesPerStream;

    /** Refused sessions, logged for the whole budget at most once per 10 s (a flood is one line). */
    final RateLimitedLog log = new RateLimitedLog("yamux memory budget");

    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private long usedBytes;
    private int sessions;
    private int streams;
    private long refusedSessions;
    private long refusedStreams;

    private MemoryBudget(Builder b) {
        this.maxBytes = b.maxBytes;
        this.maxSessions = b.maxSessions;
        this.maxStreams = b.maxStreams;
        this.extraBytesPerStream = b.extraBytesPerStream;
    }

    /** The JVM-wide default every {@link YamuxConfig} uses unless told otherwise: half the maximum heap. */
    public static MemoryBudget processDefault() {
        return PROCESS_DEFAULT;
    }

    /** A budget that refuses nothing (it still counts). */
    public static MemoryBudget unlimited() {
        return UNLIMITED;
    }

    /** A builder for a budget of one's own; it starts unlimited. */
    public static Builder builder() {
        return new Builder();
    }

    /** Bytes the sessions sharing this budget may hold together; {@code Long.MAX_VALUE} when unlimited. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Live sessions allowed at once; {@code Integer.MAX_VALUE} when only bytes limit them. */
    public int maxSessions() {
        return maxSessions;
    }

    /** Live streams allowed at once, all sessions and both directions; {@code Integer.MAX_VALUE} when only bytes limit them. */
    public int maxStreams() {
        return maxStreams;
    }

    /** Bytes the application holds per stream (a copy buffer, a thread), charged with each stream. Default 0. */
    public long extraBytesPerStream() {
        return extraBytesPerStream;
    }

    /** What one stream is charged, in bytes, under {@code config}. */
    public long bytesPerStream(YamuxConfig config) {
        return config.streamWindowBytes() + STREAM_OVERHEAD_BYTES + extraBytesPerStream;
    }

    /** Bytes charged now. */
    public long usedBytes() {
        lock.lock();
        try {
            return usedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Live sessions charged now. */
    public int sessions() {
        lock.lock();
        try {
            return sessions;
        } finally {
            lock.unlock();
        }
    }

    /** Live streams charged now. */
    public int streams() {
        lock.lock();
        try {
            return streams;
        } finally {
            lock.unlock();
        }
    }

    /** Sessions refused so far. */
    public long refusedSessions() {
        lock.lock();
        try {
            return refusedSessions;
        } finally {
            lock.unlock();
        }
    }

    /** Streams refused so far. */
    public long refusedStreams() {
        lock.lock();
        try {
            return refusedStreams;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "MemoryBudget[maxBytes=" + (maxBytes == Long.MAX_VALUE ? "unlimited" : maxBytes)
                + ", maxSessions=" + (maxSessions == Integer.MAX_VALUE ? "unlimited" : maxSessions)
                + ", maxStreams=" + (maxStreams == Integer.MAX_VALUE ? "unlimited" : maxStreams)
                + ", extraBytesPerStream=" + extraBytesPerStream + "]";
    }

    // ---- package-private: the accounting, used through SessionBudget ----

    /**
     * Charges {@code bytes}, one session if {@code session}, one stream if {@code stream}; all or
     * nothing.
     *
     * @return null when charged, else why not (for the log)
     */
    String tryCharge(long bytes, boolean session, boolean stream) {
        lock.lock();
        try {
            String refusal = null;
            if (session && sessions >= maxSessions) {
                refusal = "maxSessions (" + maxSessions + ") reached";
            } else if (stream && streams >= maxStreams) {
                refusal = "maxStreams (" + maxStreams + ") reached";
            } else if (bytes > maxBytes - usedBytes) {
                refusal = "full (" + usedBytes + " of " + maxBytes + " bytes charged)";
            }
            if (refusal != null) {
                refusedSessions += session ? 1 : 0;
                refusedStreams += stream ? 1 : 0;
                return refusal;
            }
            usedBytes += bytes;
            sessions += session ? 1 : 0;
            streams += stream ? 1 : 0;
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Takes up to {@code wantedBytes} of window growth; returns what was granted (possibly 0). */
    long takeUpTo(long wantedBytes) {
        lock.lock();
        try {
            long granted = Math.max(0, Math.min(wantedBytes, maxBytes - usedBytes));
            usedBytes += granted;
            return granted;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back what {@link #tryCharge} or {@link #takeUpTo} charged. */
    void release(long bytes, int sessionCount, int streamCount) {
        lock.lock();
        try {
            usedBytes -= bytes;
            sessions -= sessionCount;
            streams -= streamCount;
            assert usedBytes >= 0 && sessions >= 0 && streams >= 0 : this + " released more than charged";
        } finally {
            lock.unlock();
        }
    }

    /** Mutable builder for {@link MemoryBudget}; not thread-safe. Setters return {@code this}. */
    public static final class Builder {
        private long maxBytes = Long.MAX_VALUE;
        private int maxSessions = Integer.MAX_VALUE;
        private int maxStreams = Integer.MAX_VALUE;
        private long extraBytesPerStream;

        private Builder() {
        }

        /** See {@link MemoryBudget#maxBytes()}; must be ≥ 0. Default unlimited. */
        public Builder maxBytes(long bytes) {
            this.maxBytes = bytes;
            return this;
        }

        /** See {@link MemoryBudget#maxSessions()}; must be ≥ 1. Default unlimited. */
        public Builder maxSessions(int sessions) {
            this.maxSessions = sessions;
            return this;
        }

        /** See {@link MemoryBudget#maxStreams()}; must be ≥ 1. Default unlimited. */
        public Builder maxStreams(int streams) {
            this.maxStreams = streams;
            return this;
        }

        /** See {@link MemoryBudget#extraBytesPerStream()}; must be ≥ 0. Default 0. */
        public Builder extraBytesPerStream(long bytes) {
            this.extraBytesPerStream = bytes;
            return this;
        }

        /**
         * Validates and builds a new budget (nothing charged yet).
         *
         * @throws IllegalArgumentException naming the first invalid value
         */
        public MemoryBudget build() {
            if (maxBytes < 0) {
                throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
            }
            if (maxSessions < 1) {
                throw new IllegalArgumentException("maxSessions must be at least 1: " + maxSessions);
            }
            if (maxStreams < 1) {
                throw new IllegalArgumentException("maxStreams must be at least 1: " + maxStreams);
            }
            if (extraBytesPerStream < 0) {
                throw new IllegalArgumentException("extraBytesPerStream must not be negative: " + extraBytesPerStream);
            }
            return new MemoryBudget(this);
        }
    }
}

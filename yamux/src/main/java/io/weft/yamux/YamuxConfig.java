package io.weft.yamux;

import io.weft.yamux.frame.FrameHeader;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.ObjIntConsumer;

/**
 * Immutable session configuration. {@link #defaults()} equals hashicorp/yamux's
 * {@code DefaultConfig} where hashicorp has the option, plus Weft's limits; a {@link Builder}
 * changes single options and {@link Builder#build()} validates them all with clear messages.
 * Safe to share between sessions and threads.
 *
 * <p>Memory bound: a session holds at most {@code liveStreams × streamWindowBytes +
 * autoTuneBudgetBytes} of received-but-unread data (when auto-tuning is off the second term is
 * 0), where inbound live streams are at most {@link #maxInboundStreams()}. A stream stays live
 * for this count, and keeps its window growth, until it has ended and its unread data was read or
 * discarded. See docs/yamux.md.
 *
 * <p>Process bound: sessions sharing a {@link #memoryBudget()} (by default one budget for the whole
 * JVM, half its maximum heap) hold together at most that budget's bytes; streams and sessions that
 * do not fit are refused (RST, GoAway(2)) before memory is used for them. See {@link MemoryBudget}.
 */
public final class YamuxConfig {
    /** The most {@link #maxDataFrameBytes()} may be: 1 MiB, the largest data frame rust-yamux accepts. */
    public static final int MAX_DATA_FRAME_BYTES = 1024 * 1024;

    private static final YamuxConfig DEFAULTS = new Builder().build();

    private final int acceptBacklog;
    private final int maxInboundStreams;
    private final int maxUnackedOutboundStreams;
    private final boolean keepAliveEnabled;
    private final Duration keepAliveInterval;
    private final Duration connectionWriteTimeout;
    private final int streamWindowBytes;
    private final boolean windowAutoTuning;
    private final int maxAutoTunedWindowBytes;
    private final long autoTuneBudgetBytes;
    private final int maxDataFrameBytes;
    private final Duration streamOpenTimeout;
    private final Duration streamCloseTimeout;
    private final Duration goAwayDrainTimeout;
    private final int pingBacklog;
    private final ThreadFactory threadFactory;
    private final SessionClock clock;
    private final MemoryBudget memoryBudget;
    private final int notSentLowWaterBytes;
    private final ObjIntConsumer<Session> peerPingListener;

    private YamuxConfig(Builder b) {
        this.acceptBacklog = b.acceptBacklog;
        this.maxInboundStreams = b.maxInboundStreams;
        this.maxUnackedOutboundStreams = b.maxUnackedOutboundStreams;
        this.keepAliveEnabled = b.keepAliveEnabled;
        this.keepAliveInterval = b.keepAliveInterval;
        this.connectionWriteTimeout = b.connectionWriteTimeout;
        this.streamWindowBytes = b.streamWindowBytes;
        this.windowAutoTuning = b.windowAutoTuning;
        this.maxAutoTunedWindowBytes = b.maxAutoTunedWindowBytes;
        this.autoTuneBudgetBytes = b.autoTuneBudgetBytes;
        this.maxDataFrameBytes = b.maxDataFrameBytes;
        this.streamOpenTimeout = b.streamOpenTimeout;
        this.streamCloseTimeout = b.streamCloseTimeout;
        this.goAwayDrainTimeout = b.goAwayDrainTimeout;
        this.pingBacklog = b.pingBacklog;
        this.threadFactory = b.threadFactory;
        this.clock = b.clock;
        this.memoryBudget = b.memoryBudget;
        this.notSentLowWaterBytes = b.notSentLowWaterBytes;
        this.peerPingListener = b.peerPingListener;
    }

    /** The default configuration (see each getter for its default). */
    public static YamuxConfig defaults() {
        return DEFAULTS;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Inbound streams waiting for {@link Session#acceptStream()}; further SYNs are refused with RST. Default 256. */
    public int acceptBacklog() {
        return acceptBacklog;
    }

    /**
     * Live inbound streams (accepted or not) before further SYNs are refused with RST. A stream
     * that has ended but still holds unread data counts until that data is read or discarded.
     * Default 1000.
     */
    public int maxInboundStreams() {
        return maxInboundStreams;
    }

    /** Outbound streams opened but not yet ACKed; one more open waits for an ACK. Default 256. */
    public int maxUnackedOutboundStreams() {
        return maxUnackedOutboundStreams;
    }

    /** Whether keepalive pings are sent when nothing was received for {@link #keepAliveInterval()}. Default true. */
    public boolean keepAliveEnabled() {
        return keepAliveEnabled;
    }

    /** Idle time before a keepalive ping. Default 30 s. */
    public Duration keepAliveInterval() {
        return keepAliveInterval;
    }

    /**
     * Longest a transport write may make no progress before the session fails with
     * {@link WriteTimeoutException}; also the ping reply timeout. Default 10 s. Progress is seen
     * per transport write call of at most 128 KiB, so a link that cannot move 128 KiB in this
     * time (about 13 KB/s at the default) counts as stalled.
     */
    public Duration connectionWriteTimeout() {
        return connectionWriteTimeout;
    }

    /**
     * Receive window granted to the peer on each stream at open/accept, in bytes (hashicorp's
     * {@code MaxStreamWindowSize}); the excess over 256 KiB goes out with the SYN or ACK. Default 256 KiB.
     */
    public int streamWindowBytes() {
        return streamWindowBytes;
    }

    /**
     * Whether a stream whose reader drains half its window within 2 RTT gets its window doubled.
     * Default true. The RTT is the session's minimum (queueing must not grow windows), and a
     * doubling that does not raise the stream's drain rate by 1.25× is undone and not retried, so
     * a window limited by the CPU or the link (not by the RTT) stays small instead of becoming
     * milliseconds of queue in front of the session's other streams.
     */
    public boolean windowAutoTuning() {
        return windowAutoTuning;
    }

    /** Ceiling of an auto-tuned stream window in bytes. Default 16 MiB. */
    public int maxAutoTunedWindowBytes() {
        return maxAutoTunedWindowBytes;
    }

    /** Bytes of window growth all streams of one session may take together by auto-tuning. Default 64 MiB. */
    public long autoTuneBudgetBytes() {
        return autoTuneBudgetBytes;
    }

    /**
     * Largest data frame payload this side sends, in bytes, whatever the window: 1 KiB to 1 MiB
     * (rust-yamux refuses larger data frames). Default 64 KiB.
     */
    public int maxDataFrameBytes() {
        return maxDataFrameBytes;
    }

    /**
     * How long an opened stream may stay un-ACKed before it alone is reset, and the longest an
     * open waits for an un-ACKed slot; {@link Duration#ZERO} disables it. Default 75 s.
     */
    public Duration streamOpenTimeout() {
        return streamOpenTimeout;
    }

    /**
     * How long a stream closed by {@link Stream#close()} waits for the peer's FIN before it is
     * reset and freed; {@link Duration#ZERO} disables it. Default 5 min.
     */
    public Duration streamCloseTimeout() {
        return streamCloseTimeout;
    }

    /** How long {@link Session#goAway()} lets open streams finish before closing the session. Default 30 s. */
    public Duration goAwayDrainTimeout() {
        return goAwayDrainTimeout;
    }

    /**
     * No longer used; default 32. Every ping of a peer that reads our frames is answered, none is
     * dropped. A peer that does not read is throttled instead: the session stops reading from it
     * while a fixed number (1024) of control frames wait to be written. See docs/yamux.md.
     *
     * @deprecated ignored since every ping is answered; kept so that existing configurations
     *     compile. The builder still rejects values below 1.
     */
    @Deprecated
    public int pingBacklog() {
        return pingBacklog;
    }

    /** Creates each session's reader and housekeeping threads. Default: virtual threads named {@code yamux-…}. */
    public ThreadFactory threadFactory() {
        return threadFactory;
    }

    /** The clock and scheduler of every timeout; {@link SessionClock#SYSTEM} unless a test sets one. */
    SessionClock clock() {
        return clock;
    }

    /**
     * The budget this session's memory is charged to, shared with every session configured with
     * the same budget. Default {@link MemoryBudget#processDefault()}: one budget for the JVM.
     */
    public MemoryBudget memoryBudget() {
        return memoryBudget;
    }

    /**
     * The {@code TCP_NOTSENT_LOWAT} a session sets on a TCP connection it runs over, in bytes
     * ({@link io.weft.netpoll.TcpConn#setNotSentLowWaterBytes}; Linux with the epoll backend,
     * elsewhere nothing is set): at most about this many written bytes wait unsent in the kernel,
     * so frames queued in the session, where small frames can still go ahead of bulk ones, do
     * not sit behind megabytes of socket buffer. {@code 0} leaves the connection's setting alone.
     * Applies to sessions over a netpoll {@code TcpConn}, not to other channels or stream pairs.
     * Default 128 KiB.
     */
    public int notSentLowWaterBytes() {
        return notSentLowWaterBytes;
    }

    /**
     * Shown the opaque value of every ping request the peer sends, with the session it came on,
     * before the reply is queued (the reply is sent whatever the listener does). Runs on the
     * session's reader thread: it must return quickly and never block (start a thread to act,
     * e.g. to {@link Session#close()} or {@link Session#ping(int, Duration)}); what it throws is
     * logged and ignored. Peers choose their own values: hashicorp counts up from 0, Weft from 1,
     * so a listener looks for values it agreed on with the peer. Default: does nothing.
     */
    public ObjIntConsumer<Session> peerPingListener() {
        return peerPingListener;
    }

    @Override
    public String toString() {
        return "YamuxConfig[acceptBacklog=" + acceptBacklog + ", maxInboundStreams=" + maxInboundStreams
                + ", maxUnackedOutboundStreams=" + maxUnackedOutboundStreams + ", keepAlive="
                + (keepAliveEnabled ? keepAliveInterval : "off") + ", connectionWriteTimeout="
                + connectionWriteTimeout + ", streamWindowBytes=" + streamWindowBytes + ", autoTuning="
                + (windowAutoTuning ? maxAutoTunedWindowBytes + "/" + autoTuneBudgetBytes : "off")
                + ", maxDataFrameBytes=" + maxDataFrameBytes + ", streamOpenTimeout=" + streamOpenTimeout
                + ", streamCloseTimeout=" + streamCloseTimeout + ", goAwayDrainTimeout=" + goAwayDrainTimeout
                + ", memoryBudget=" + memoryBudget + ", notSentLowWaterBytes=" + notSentLowWaterBytes + "]";
    }

    /** Mutable builder for {@link YamuxConfig}; not thread-safe. Setters return {@code this}. */
    public static final class Builder {
        private int acceptBacklog = 256;
        private int maxInboundStreams = 1000;
        private int maxUnackedOutboundStreams = 256;
        private boolean keepAliveEnabled = true;
        private Duration keepAliveInterval = Duration.ofSeconds(30);
        private Duration connectionWriteTimeout = Duration.ofSeconds(10);
        private int streamWindowBytes = FrameHeader.INITIAL_STREAM_WINDOW;
        private boolean windowAutoTuning = true;
        private int maxAutoTunedWindowBytes = 16 * 1024 * 1024;
        private long autoTuneBudgetBytes = 64L * 1024 * 1024;
        private int maxDataFrameBytes = 64 * 1024;
        private Duration streamOpenTimeout = Duration.ofSeconds(75);
        private Duration streamCloseTimeout = Duration.ofMinutes(5);
        private Duration goAwayDrainTimeout = Duration.ofSeconds(30);
        private int pingBacklog = 32;
        private ThreadFactory threadFactory = Thread.ofVirtual().name("yamux-", 0).factory();
        private SessionClock clock = SessionClock.SYSTEM;
        private MemoryBudget memoryBudget = MemoryBudget.processDefault();
        private int notSentLowWaterBytes = 128 * 1024;
        private ObjIntConsumer<Session> peerPingListener = (session, opaque) -> { };

        private Builder() {
        }

        private Builder(YamuxConfig c) {
            acceptBacklog = c.acceptBacklog;
            maxInboundStreams = c.maxInboundStreams;
            maxUnackedOutboundStreams = c.maxUnackedOutboundStreams;
            keepAliveEnabled = c.keepAliveEnabled;
            keepAliveInterval = c.keepAliveInterval;
            connectionWriteTimeout = c.connectionWriteTimeout;
            streamWindowBytes = c.streamWindowBytes;
            windowAutoTuning = c.windowAutoTuning;
            maxAutoTunedWindowBytes = c.maxAutoTunedWindowBytes;
            autoTuneBudgetBytes = c.autoTuneBudgetBytes;
            maxDataFrameBytes = c.maxDataFrameBytes;
            streamOpenTimeout = c.streamOpenTimeout;
            streamCloseTimeout = c.streamCloseTimeout;
            goAwayDrainTimeout = c.goAwayDrainTimeout;
            pingBacklog = c.pingBacklog;
            threadFactory = c.threadFactory;
            memoryBudget = c.memoryBudget;
            notSentLowWaterBytes = c.notSentLowWaterBytes;
            peerPingListener = c.peerPingListener;
            clock = c.clock;
        }

        /** Drives every timeout of the session from {@code clock}. For tests. */
        Builder clock(SessionClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** See {@link YamuxConfig#acceptBacklog()}; must be ≥ 1. */
        public Builder acceptBacklog(int streams) {
            this.acceptBacklog = streams;
            return this;
        }

        /** See {@link YamuxConfig#maxInboundStreams()}; must be ≥ 1. */
        public Builder maxInboundStreams(int streams) {
            this.maxInboundStreams = streams;
            return this;
        }

        /** See {@link YamuxConfig#maxUnackedOutboundStreams()}; must be ≥ 1. */
        public Builder maxUnackedOutboundStreams(int streams) {
            this.maxUnackedOutboundStreams = streams;
            return this;
        }

        /** See {@link YamuxConfig#keepAliveEnabled()}. */
        public Builder keepAliveEnabled(boolean enabled) {
            this.keepAliveEnabled = enabled;
            return this;
        }

        /** See {@link YamuxConfig#keepAliveInterval()}; must be positive (checked even when keepalive is off, as hashicorp). */
        public Builder keepAliveInterval(Duration interval) {
            this.keepAliveInterval = interval;
            return this;
        }

        /** See {@link YamuxConfig#connectionWriteTimeout()}; must be positive. */
        public Builder connectionWriteTimeout(Duration timeout) {
            this.connectionWriteTimeout = timeout;
            return this;
        }

        /** See {@link YamuxConfig#streamWindowBytes()}; must be ≥ 256 KiB. */
        public Builder streamWindowBytes(int bytes) {
            this.streamWindowBytes = bytes;
            return this;
        }

        /** See {@link YamuxConfig#windowAutoTuning()}; {@code false} gives strict hashicorp behaviour. */
        public Builder windowAutoTuning(boolean enabled) {
            this.windowAutoTuning = enabled;
            return this;
        }

        /** See {@link YamuxConfig#maxAutoTunedWindowBytes()}; must be ≥ {@code streamWindowBytes}. */
        public Builder maxAutoTunedWindowBytes(int bytes) {
            this.maxAutoTunedWindowBytes = bytes;
            return this;
        }

        /** See {@link YamuxConfig#autoTuneBudgetBytes()}; must be ≥ 0. */
        public Builder autoTuneBudgetBytes(long bytes) {
            this.autoTuneBudgetBytes = bytes;
            return this;
        }

        /** See {@link YamuxConfig#maxDataFrameBytes()}; must be 1024 to 1048576 (1 MiB). */
        public Builder maxDataFrameBytes(int bytes) {
            this.maxDataFrameBytes = bytes;
            return this;
        }

        /** See {@link YamuxConfig#streamOpenTimeout()}; zero disables, negative is rejected. */
        public Builder streamOpenTimeout(Duration timeout) {
            this.streamOpenTimeout = timeout;
            return this;
        }

        /** See {@link YamuxConfig#streamCloseTimeout()}; zero disables, negative is rejected. */
        public Builder streamCloseTimeout(Duration timeout) {
            this.streamCloseTimeout = timeout;
            return this;
        }

        /** See {@link YamuxConfig#goAwayDrainTimeout()}; zero closes at once, negative is rejected. */
        public Builder goAwayDrainTimeout(Duration timeout) {
            this.goAwayDrainTimeout = timeout;
            return this;
        }

        /**
         * See {@link YamuxConfig#pingBacklog()}: ignored; must be ≥ 1.
         *
         * @deprecated every ping is answered; see {@link YamuxConfig#pingBacklog()}
         */
        @Deprecated
        public Builder pingBacklog(int replies) {
            this.pingBacklog = replies;
            return this;
        }

        /** See {@link YamuxConfig#threadFactory()}; not null. */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = factory;
            return this;
        }

        /** See {@link YamuxConfig#memoryBudget()}; not null ({@link MemoryBudget#unlimited()} turns the bound off). */
        public Builder memoryBudget(MemoryBudget budget) {
            this.memoryBudget = budget;
            return this;
        }

        /** See {@link YamuxConfig#notSentLowWaterBytes()}; {@code 0} leaves the socket alone, negative is rejected. */
        public Builder notSentLowWaterBytes(int bytes) {
            this.notSentLowWaterBytes = bytes;
            return this;
        }

        /** See {@link YamuxConfig#peerPingListener()}; not null. */
        public Builder peerPingListener(ObjIntConsumer<Session> listener) {
            this.peerPingListener = listener;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the first invalid option and why
         * @throws NullPointerException if a duration, the thread factory, the memory budget or the peer ping listener is null
         */
        public YamuxConfig build() {
            positive("acceptBacklog", acceptBacklog);
            positive("maxInboundStreams", maxInboundStreams);
            positive("maxUnackedOutboundStreams", maxUnackedOutboundStreams);
            positive("pingBacklog", pingBacklog);
            positive("keepAliveInterval", keepAliveInterval);
            positive("connectionWriteTimeout", connectionWriteTimeout);
            notNegative("streamOpenTimeout", streamOpenTimeout);
            notNegative("streamCloseTimeout", streamCloseTimeout);
            notNegative("goAwayDrainTimeout", goAwayDrainTimeout);
            Objects.requireNonNull(threadFactory, "threadFactory");
            Objects.requireNonNull(memoryBudget, "memoryBudget");
            Objects.requireNonNull(peerPingListener, "peerPingListener");
            if (streamWindowBytes < FrameHeader.INITIAL_STREAM_WINDOW) {
                throw new IllegalArgumentException("streamWindowBytes must be at least 262144 (256 KiB): "
                        + streamWindowBytes);
            }
            if (maxAutoTunedWindowBytes < streamWindowBytes) {
                throw new IllegalArgumentException("maxAutoTunedWindowBytes (" + maxAutoTunedWindowBytes
                        + ") must be at least streamWindowBytes (" + streamWindowBytes + ")");
            }
            if (notSentLowWaterBytes < 0) {
                throw new IllegalArgumentException("notSentLowWaterBytes must not be negative: " + notSentLowWaterBytes);
            }
            if (autoTuneBudgetBytes < 0) {
                throw new IllegalArgumentException("autoTuneBudgetBytes must not be negative: " + autoTuneBudgetBytes);
            }
            if (maxDataFrameBytes < 1024 || maxDataFrameBytes > MAX_DATA_FRAME_BYTES) {
                throw new IllegalArgumentException("maxDataFrameBytes must be 1024 to 1048576 (1 MiB: rust-yamux"
                        + " refuses larger data frames): " + maxDataFrameBytes);
            }
            return new YamuxConfig(this);
        }

        private static void positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1: " + value);
            }
        }

        private static void positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
        }

        private static void notNegative(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + value);
            }
        }
    }
}

package io.weft.yamux;

import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR events for rare, interesting session moments, and a periodic statistics event per live
 * session. All are disabled by default; enable them with a JFR settings file or
 * {@code -XX:StartFlightRecording:settings=...} naming {@code io.weft.yamux.*}. Emitted from
 * whichever thread observes the moment; {@code SessionStatistics} from JFR's periodic thread,
 * every 10 s by default (its {@code period} setting changes that). Every event names its session
 * ({@link Session#toString()}, e.g. {@code yamux client session 3}) so events of one session can
 * be grouped.
 *
 * <p>Until JFR is initialized in this JVM (a recording started by flag, {@code jcmd} or API) no
 * event object is created: the first use of a JFR event class starts JFR's own machinery, which
 * took 110–170 ms on the thread that hit it (measured at a stream's first window stall, in the
 * middle of a transfer). No recording can want our events before that point anyway.
 */
final class YamuxEvents {
    /** Sessions started and not yet closed, for {@link SessionStatistics}; removed by {@link #sessionClosed}. */
    private static final Set<Session> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean PERIODIC_REGISTERED = new AtomicBoolean();

    private YamuxEvents() {
    }

    /** Whether JFR runs in this JVM; cheap, and loads no event class. */
    static boolean jfrInitialized() {
        return FlightRecorder.isInitialized();
    }

    @Name("io.weft.yamux.SessionClosed")
    @Label("Yamux Session Closed")
    @Category({"Weft", "Yamux"})
    @Enabled(false)
    @StackTrace(false)
    static final class SessionClosed extends Event {
        @Label("Session")
        String session;
        @Label("Client")
        boolean client;
        @Label("Cause")
        String cause;
    }

    @Name("io.weft.yamux.SessionStarted")
    @Label("Yamux Session Started")
    @Category({"Weft", "Yamux"})
    @Enabled(false)
    @StackTrace(false)
    static final class SessionStarted extends Event {
        @Label("Session")
        String session;
        @Label("Client")
        boolean client;
        @Label("Local Address")
        String localAddress;
        @Label("Remote Address")
        String remoteAddress;
    }

    @Name("io.weft.yamux.SessionStatistics")
    @Label("Yamux Session Statistics")
    @Description("One per live session and period: the figures of Session.stats()")
    @Category({"Weft", "Yamux"})
    @Enabled(false)
    @StackTrace(false)
    @Period("10 s")
    static final class SessionStatistics extends Event {
        @Label("Session")
        String session;
        @Label("Client")
        boolean client;
        @Label("Streams Open")
        int streamsOpen;
        @Label("Streams Opened")
        long streamsOpened;
        @Label("Streams Opened By Peer")
        long streamsOpenedByPeer;
        @Label("Streams Refused")
        long streamsRefused;
        @Label("Streams Reset Sent")
        long streamsResetSent;
        @Label("Streams Reset Received")
        long streamsResetReceived;
        @Label("Accept Backlog")
        int acceptBacklog;
        @Label("Bytes In")
        @DataAmount
        long bytesIn;
        @Label("Bytes Out")
        @DataAmount
        long bytesOut;
        @Label("Frames In")
        long framesIn;
        @Label("Frames Out")
        long framesOut;
        @Label("Smoothed RTT")
        @Timespan
        long rtt;
        @Label("Minimum RTT")
        @Timespan
        long minRtt;
        @Label("Memory Budget Used")
        @DataAmount
        long memoryBudgetBytes;
    }

    @Name("io.weft.yamux.GoAway")
    @Label("Yamux GoAway")
    @Category({"Weft", "Yamux"})
    @Enabled(false)
    static final class GoAway extends Event {
        @Label("Session")
        String session;
        @Label("Code")
        long code;
        @Label("Sent")
        boolean sent;
    }

    @Name("io.weft.yamux.ProtocolError")
    @Label("Yamux Protocol Error")
    @Category({"Weft", "Yamux"})
    @Enabled(false)
    static final class ProtocolError extends Event {
        @Label("Reason")
        String reason;
    }

    @Name("io.weft.yamux.StreamReset")
    @Label("Yamux Stream Reset")
    @Category({"Weft", "Yamux"})
    @Enabled(false)
    static final class StreamReset extends Event {
        @Label("Session")
        String session;
        @Label("Stream Id")
        long streamId;
        @Label("Code")
        long code;
        @Label("Remote")
        boolean remote;
    }

    @Name("io.weft.yamux.WindowStall")
    @Label("Yamux Window Stall")
    @Category({"Weft", "Yamux"})
    @Enabled(false)
    static final class WindowStall extends Event {
        @Label("Stream Id")
        long streamId;
    }

    /** Registers a new session for {@link SessionStatistics} and records its start. */
    static void sessionStarted(Session session, SocketAddress local, SocketAddress remote) {
        LIVE.add(session);
        if (!jfrInitialized()) {
            return;
        }
        registerPeriodicEvent();
        SessionStarted event = new SessionStarted();
        if (event.isEnabled()) {
            event.session = session.toString();
            event.client = session.isClient();
            event.localAddress = String.valueOf(local);
            event.remoteAddress = String.valueOf(remote);
            event.commit();
        }
    }

    /**
     * Registers {@link SessionStatistics} with JFR once JFR runs in this JVM: called at each
     * session start and on every session tick, so a recording started later (by {@code jcmd})
     * gets the statistics within a tick. Cheap until then: one volatile read and one static read.
     */
    static void registerPeriodicEvent() {
        if (!PERIODIC_REGISTERED.get() && jfrInitialized() && PERIODIC_REGISTERED.compareAndSet(false, true)) {
            FlightRecorder.addPeriodicEvent(SessionStatistics.class, YamuxEvents::emitStatistics);
        }
    }

    /** JFR's periodic hook: one {@link SessionStatistics} per live session. */
    private static void emitStatistics() {
        for (Session session : LIVE) {
            SessionStats s = session.stats();
            SessionStatistics event = new SessionStatistics();
            event.session = session.toString();
            event.client = session.isClient();
            event.streamsOpen = s.streamsOpen();
            event.streamsOpened = s.streamsOpened();
            event.streamsOpenedByPeer = s.streamsOpenedByPeer();
            event.streamsRefused = s.streamsRefused();
            event.streamsResetSent = s.streamsResetSent();
            event.streamsResetReceived = s.streamsResetReceived();
            event.acceptBacklog = s.acceptBacklog();
            event.bytesIn = s.bytesIn();
            event.bytesOut = s.bytesOut();
            event.framesIn = s.framesIn();
            event.framesOut = s.framesOut();
            event.rtt = s.rtt().toNanos();
            event.minRtt = s.minRtt().toNanos();
            event.memoryBudgetBytes = s.memoryBudgetBytes();
            event.commit();
        }
    }

    /** Unregisters a closed session and records its end and {@code cause}. */
    static void sessionClosed(Session session, String cause) {
        LIVE.remove(session);
        if (!jfrInitialized()) {
            return;
        }
        SessionClosed event = new SessionClosed();
        if (event.isEnabled()) {
            event.session = session.toString();
            event.client = session.isClient();
            event.cause = cause;
            event.commit();
        }
    }

    static void goAway(String session, long code, boolean sent) {
        if (!jfrInitialized()) {
            return;
        }
        GoAway event = new GoAway();
        if (event.isEnabled()) {
            event.session = session;
            event.code = code;
            event.sent = sent;
            event.commit();
        }
    }

    static void protocolError(String reason) {
        if (!jfrInitialized()) {
            return;
        }
        ProtocolError event = new ProtocolError();
        if (event.isEnabled()) {
            event.reason = reason;
            event.commit();
        }
    }

    /** Starts timing a stream's wait for send window; {@code null} while JFR is not initialized. */
    static WindowStall windowStallBegin() {
        if (!jfrInitialized()) {
            return null;
        }
        WindowStall event = new WindowStall();
        event.begin();
        return event;
    }

    /** Ends a wait timed by {@link #windowStallBegin()}, whose result {@code event} may be null. */
    static void windowStallEnd(WindowStall event, int streamId) {
        if (event != null && event.isEnabled()) {
            event.streamId = Integer.toUnsignedLong(streamId);
            event.commit();
        }
    }

    static void streamReset(String session, int streamId, long code, boolean remote) {
        if (!jfrInitialized()) {
            return;
        }
        StreamReset event = new StreamReset();
        if (event.isEnabled()) {
            event.session = session;
            event.streamId = Integer.toUnsignedLong(streamId);
            event.code = code;
            event.remote = remote;
            event.commit();
        }
    }
}

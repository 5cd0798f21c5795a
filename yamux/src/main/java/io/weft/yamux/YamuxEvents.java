package io.weft.yamux;

import jdk.jfr.Category;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR events for rare, interesting session moments. All are disabled by default; enable them
 * with a JFR settings file or {@code -XX:StartFlightRecording:settings=...} naming
 * {@code io.weft.yamux.*}. Emitted from whichever thread observes the moment.
 *
 * <p>Until JFR is initialized in this JVM (a recording started by flag, {@code jcmd} or API) no
 * event object is created: the first use of a JFR event class starts JFR's own machinery, which
 * took 110–170 ms on the thread that hit it (measured at a stream's first window stall, in the
 * middle of a transfer). No recording can want our events before that point anyway.
 */
final class YamuxEvents {
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
    static final class SessionClosed extends Event {
        @Label("Client")
        boolean client;
        @Label("Cause")
        String cause;
    }

    @Name("io.weft.yamux.GoAway")
    @Label("Yamux GoAway")
    @Category({"Weft", "Yamux"})
    @Enabled(false)
    static final class GoAway extends Event {
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

    static void sessionClosed(boolean client, String cause) {
        if (!jfrInitialized()) {
            return;
        }
        SessionClosed event = new SessionClosed();
        if (event.isEnabled()) {
            event.client = client;
            event.cause = cause;
            event.commit();
        }
    }

    static void goAway(long code, boolean sent) {
        if (!jfrInitialized()) {
            return;
        }
        GoAway event = new GoAway();
        if (event.isEnabled()) {
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

    static void streamReset(int streamId, long code, boolean remote) {
        if (!jfrInitialized()) {
            return;
        }
        StreamReset event = new StreamReset();
        if (event.isEnabled()) {
            event.streamId = Integer.toUnsignedLong(streamId);
            event.code = code;
            event.remote = remote;
            event.commit();
        }
    }
}

package io.weft.cli;

import io.weft.yamux.RemoteGoAwayException;
import io.weft.yamux.SessionClosedException;
import io.weft.yamux.TruncatedFrameException;
import java.io.EOFException;
import java.io.IOException;

/** How the commands judge a finished session. Stateless; any thread. */
final class Sessions {

    private Sessions() {}

    /**
     * Whether a session's close cause means a clean end: closed here, the transport reached EOF
     * (the peer exited or stdin ended) between frames, or the peer said GoAway(0). An end in the
     * middle of a frame ({@link TruncatedFrameException}) is not clean.
     */
    static boolean endedCleanly(IOException cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TruncatedFrameException) {
                return false;
            }
            if (t instanceof EOFException) {
                return true;
            }
            if (t instanceof RemoteGoAwayException goAway) {
                return goAway.code() == 0;
            }
            if (!(t instanceof SessionClosedException)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a session's transport ended in the middle of a frame ({@link TruncatedFrameException}). */
    static boolean endedMidFrame(IOException cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TruncatedFrameException) {
                return true;
            }
        }
        return false;
    }
}

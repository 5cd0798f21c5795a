package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.yamux.KeepAliveTimeoutException;
import io.weft.yamux.RemoteGoAwayException;
import io.weft.yamux.SessionClosedException;
import io.weft.yamux.YamuxProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void exitCodesFollowTheDocumentedTable() {
        assertThat(Failures.exitCode(new ConnectException("Connection refused"))).isEqualTo(1);
        assertThat(Failures.exitCode(new SocketTimeoutException("i/o timeout"))).isEqualTo(1);
        assertThat(Failures.exitCode(new BindException("Address already in use"))).isEqualTo(2);
        assertThat(Failures.exitCode(new Failures.UsageException("cannot listen", null))).isEqualTo(2);
        assertThat(Failures.exitCode(new YamuxProtocolException(1, "bad version", false))).isEqualTo(3);
        assertThat(Failures.exitCode(new RemoteGoAwayException(2))).isEqualTo(3);
        assertThat(Failures.exitCode(new RemoteGoAwayException(0))).isEqualTo(1);
        assertThat(Failures.exitCode(new InterruptedIOException())).isEqualTo(130);
        assertThat(Failures.exitCode(new IllegalStateException("bug"))).isEqualTo(1);
    }

    @Test
    void theCauseChainDecides() {
        IOException closed = new SessionClosedException("session closed", new KeepAliveTimeoutException("no ping reply within 10s"));
        assertThat(Failures.exitCode(closed)).isEqualTo(4);
        assertThat(Failures.exitCode(new SessionClosedException("session closed",
                new YamuxProtocolException(1, "x", true)))).isEqualTo(3);
    }

    @Test
    void descriptionIsOneLineWithTheCausesThatAddSomething() {
        IOException e = new IOException("session failed", new IOException("connection reset\nby peer"));
        assertThat(Failures.describe(e)).isEqualTo("session failed: connection reset by peer");
        assertThat(Failures.describe(new IOException("x: boom", new IOException("boom")))).isEqualTo("x: boom");
        assertThat(Failures.describe(new EOFException())).isEqualTo("EOF");
        // The library's messages print Duration.toString(); the command prints Go-style.
        assertThat(Failures.describe(new SessionClosedException("session closed",
                new KeepAliveTimeoutException("no reply to a keepalive ping within PT1S"))))
                .isEqualTo("session closed: no reply to a keepalive ping within 1s");
    }

    @Test
    void cleanSessionEndsAreRecognised() {
        assertThat(Sessions.endedCleanly(null)).isTrue();
        assertThat(Sessions.endedCleanly(new SessionClosedException("closed", null))).isTrue();
        assertThat(Sessions.endedCleanly(new SessionClosedException("closed", new EOFException()))).isTrue();
        assertThat(Sessions.endedCleanly(new RemoteGoAwayException(0))).isTrue();
        assertThat(Sessions.endedCleanly(new SessionClosedException("connection lost",
                new io.weft.yamux.TruncatedFrameException("connection ended in the middle of a frame")))).isFalse();
        assertThat(Sessions.endedCleanly(new RemoteGoAwayException(2))).isFalse();
        assertThat(Sessions.endedCleanly(new SessionClosedException("closed", new KeepAliveTimeoutException("no ping reply within 10s")))).isFalse();
        assertThat(Sessions.endedCleanly(new ConnectException("refused"))).isFalse();
    }
}

package io.weft.netpoll.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void connectionRefusedIsConnectException() {
        IOException e = Errno.exception("dial", "tcp4 127.0.0.1:1", Errno.ECONNREFUSED);
        assertThat(e).isExactlyInstanceOf(ConnectException.class)
                .hasMessage("dial tcp4 127.0.0.1:1: connection refused");
    }

    @Test
    void connectionResetIsSocketExceptionSayingConnectionReset() {
        IOException e = Errno.exception("read", "tcp4 a->b", Errno.ECONNRESET);
        assertThat(e).isExactlyInstanceOf(SocketException.class).hasMessageContaining("connection reset");
    }

    @Test
    void addressInUseIsBindException() {
        assertThat(Errno.exception("listen", "tcp4 127.0.0.1:80", Errno.EADDRINUSE))
                .isExactlyInstanceOf(BindException.class)
                .hasMessageContaining("address already in use");
        assertThat(Errno.exception("listen", "tcp4 127.0.0.1:80", Errno.EACCES)).isExactlyInstanceOf(BindException.class);
    }

    @Test
    void unreachableIsNoRouteToHost() {
        assertThat(Errno.exception("dial", "", Errno.EHOSTUNREACH)).isExactlyInstanceOf(NoRouteToHostException.class);
        assertThat(Errno.exception("dial", "", Errno.ENETUNREACH)).isExactlyInstanceOf(NoRouteToHostException.class);
    }

    @Test
    void brokenPipeIsSocketException() {
        assertThat(Errno.exception("write", "", Errno.EPIPE)).isExactlyInstanceOf(SocketException.class)
                .hasMessageContaining("broken pipe");
    }

    @Test
    void tooManyOpenFilesIsPlainIoExceptionNamingTheErrno() {
        assertThat(Errno.exception("accept", "", Errno.EMFILE)).isExactlyInstanceOf(IOException.class)
                .hasMessage("accept: too many open files");
    }

    @Test
    void unknownErrnoKeepsItsNumber() {
        assertThat(Errno.exception("read", "", 4095)).hasMessageContaining("errno 4095");
    }
}

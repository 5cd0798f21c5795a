package io.weft.netpoll.tls;

import io.weft.netpoll.ConnPair;
import io.weft.netpoll.Net;
import java.time.Duration;

/**
 * {@link TlsConn} over {@link Net#pipe()}: writes wait for the reader as on the pipe, but a write
 * that times out has already sealed records, which go first on the next write.
 */
class TlsOverPipeTest extends TlsConnContractTest {

    @Override
    protected ConnPair rawPair() {
        Net.Pipe pipe = Net.pipe();
        return new ConnPair(pipe.first(), pipe.second());
    }

    @Override
    protected boolean buffersWrites() {
        return false;
    }

    @Override
    protected boolean acceptsBytesBeforeThePeerReads() {
        return true;
    }

    @Override
    protected Duration closeNotifyTimeout() {
        // After each test nobody reads the other end; don't wait Go's 5 s for the pipe to take close_notify.
        return Duration.ofMillis(100);
    }
}

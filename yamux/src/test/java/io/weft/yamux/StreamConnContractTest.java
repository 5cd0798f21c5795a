package io.weft.yamux;

import io.weft.netpoll.ConnContractTest;
import io.weft.netpoll.ConnPair;
import java.io.IOException;

/** A yamux {@link Stream} passes netpoll's {@link io.weft.netpoll.Conn} contract (over an in-memory pipe). */
class StreamConnContractTest extends ConnContractTest {

    @Override
    protected ConnPair connect() throws Exception {
        SessionPair sessions = SessionPair.open(SessionPair.Kind.PIPE, YamuxConfig.defaults(), YamuxConfig.defaults());
        Stream opened = sessions.client().openStream();
        Stream accepted = sessions.server().acceptStream();
        return new ConnPair(opened, accepted, sessions);
    }

    @Override
    protected Class<? extends IOException> closedExceptionType() {
        return StreamClosedException.class;
    }
}

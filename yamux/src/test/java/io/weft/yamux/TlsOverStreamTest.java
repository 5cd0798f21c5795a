package io.weft.yamux;

import io.weft.netpoll.ConnPair;
import io.weft.netpoll.tls.TlsConnContractTest;

/**
 * {@link io.weft.netpoll.tls.TlsConn} over a yamux {@link Stream}: TLS end to end inside one
 * stream of a session, as a relay that must not see the bytes would use it.
 */
class TlsOverStreamTest extends TlsConnContractTest {

    @Override
    protected ConnPair rawPair() throws Exception {
        SessionPair sessions = SessionPair.open(SessionPair.Kind.PIPE, YamuxConfig.defaults(), YamuxConfig.defaults());
        Stream opened = sessions.client().openStream();
        Stream accepted = sessions.server().acceptStream();
        return new ConnPair(opened, accepted, sessions);
    }
}

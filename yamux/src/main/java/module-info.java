/** Weft yamux: a stream multiplexer wire-compatible with hashicorp/yamux. */
module io.weft.yamux {
    requires transitive io.weft.netpoll;
    requires jdk.jfr;

    exports io.weft.yamux;
    exports io.weft.yamux.frame;
}

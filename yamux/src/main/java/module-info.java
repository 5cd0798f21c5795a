/** Weft yamux: a stream multiplexer wire-compatible with hashicorp/yamux. */
module io.weft.yamux {
    requires transitive io.weft.netpoll;
    // exports io.weft.yamux;        (uncomment with the first class)
    // exports io.weft.yamux.frame;  (uncomment with the first class)
}

/** A program that uses Weft from the module path: yamux brings netpoll (requires transitive). */
module io.weft.example {
    requires io.weft.yamux;
}

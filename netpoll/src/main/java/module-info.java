/** Weft netpoll: Go's network core for Java: {@code Conn}, {@code Listener}, {@code Net}. */
module io.weft.netpoll {
    exports io.weft.netpoll;
}

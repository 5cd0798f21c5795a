/** Weft's Linux epoll poller through the Foreign Function and Memory API. */
module io.weft.netpoll.epoll {
    requires io.weft.netpoll;
}

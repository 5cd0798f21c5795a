/**
 * Weft's Linux epoll poller through the Foreign Function and Memory API: a {@link
 * io.weft.netpoll.spi.Transport} provider that {@code io.weft.netpoll.Net} picks on Linux when
 * native access is enabled for this module ({@code --enable-native-access=io.weft.netpoll.epoll}).
 * Exports nothing.
 */
module io.weft.netpoll.epoll {
    requires io.weft.netpoll;

    provides io.weft.netpoll.spi.Transport with io.weft.netpoll.epoll.EpollTransport;
}

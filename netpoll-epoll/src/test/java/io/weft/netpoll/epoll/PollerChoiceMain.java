package io.weft.netpoll.epoll;

import io.weft.netpoll.Poller;

/** Run in a child JVM by {@link EpollTransportTest}: prints the poller {@code Net} chose. */
public final class PollerChoiceMain {
    private PollerChoiceMain() {}

    /** Prints {@code Poller.system().name()} on stdout. */
    public static void main(String[] args) {
        System.out.println(Poller.system().name());
    }
}

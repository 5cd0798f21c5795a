package io.weft.netpoll.epoll;

import io.weft.netpoll.Poller;

/** Run in a child JVM by {@link EpollTransportTest}: prints the poller {@code Net} chose. */
public final class PollerChoiceMain {
    private PollerChoiceMain() {}

    /**
     * Prints {@code Poller.system().name()} on stdout; with the argument {@code prepare}, after
     * {@link Poller#prepareInBackground()} as the weft command does.
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("prepare")) {
            Poller.prepareInBackground();
        }
        System.out.println(Poller.system().name());
    }
}

package io.weft.netpoll.epoll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** This process's open file descriptors, read from /proc/self. */
final class Fds {
    private Fds() {}

    /** How many descriptors are open now. */
    static int openCount() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How many sockets are open now. Leak checks of dials use this, not {@link #openCount()}: the
     * eventfds of platform threads that waited in {@code poll(2)} (one per thread) are closed by a
     * Cleaner whenever the GC finds those threads gone, which moves the total at any moment.
     */
    static int openSocketCount() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.filter(Fds::isSocket).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isSocket(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("socket:");
        } catch (IOException e) { // closed while listing
            return false;
        }
    }

    /** The {@code flags:} line of {@code /proc/self/fdinfo/<fd>}, as a number (octal in the file). */
    static int flags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).strip(), 8);
            }
        }
        throw new IOException("no flags for fd " + fd);
    }

    /** The soft limit on open descriptors ({@code ulimit -n}). */
    static long limit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.substring("Max open files".length()).strip().split("\\s+")[0]);
            }
        }
        throw new IOException("no open-files limit in /proc/self/limits");
    }
}

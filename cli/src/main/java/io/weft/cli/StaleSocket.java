package io.weft.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A unix socket file left behind by a process that did not close its listener (killed with
 * SIGKILL, a crash, a power cut): binding to its path fails with "address in use" although
 * nothing listens there any more. {@link #check} tells a stale file from a live socket by
 * connecting to it: refused means stale, and only then is the file removed, so that the next
 * bind succeeds. A live socket, or a path that is not a socket at all, is left alone.
 *
 * <p>Race: between the probe and the removal another process could bind a new socket at the same
 * path; the file's identity (inode) is checked again just before removing it, which leaves a
 * window of microseconds, not of a whole start-up. Stateless; any thread.
 */
final class StaleSocket {

    /** What a socket path in use turned out to be. */
    enum Verdict {
        /** Nothing answered; the file was removed: bind again. */
        REMOVED,
        /** A process accepts connections there. */
        LIVE,
        /** Not a socket file, gone meanwhile, or not ours to judge (permissions): leave it. */
        UNKNOWN
    }

    private StaleSocket() {}

    /** Probes {@code path}, whose bind just failed with "address in use", and removes it when stale. */
    static Verdict check(Path path) {
        Object identity;
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isOther()) {
                return Verdict.UNKNOWN; // a regular file, directory or link: never ours to delete
            }
            identity = attributes.fileKey();
        } catch (IOException e) {
            return Verdict.UNKNOWN;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // Non-blocking: a blocking connect to a live listener whose backlog is full waits for
            // ever (Linux); this one fails at once (EAGAIN, UNKNOWN below) and the file stays.
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
            return Verdict.LIVE;
        } catch (ConnectException refused) {
            // ECONNREFUSED: a socket file with no listener behind it.
        } catch (IOException e) {
            return Verdict.UNKNOWN;
        }
        try {
            Object now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (!Objects.equals(identity, now)) {
                return Verdict.UNKNOWN;
            }
            Files.delete(path);
            return Verdict.REMOVED;
        } catch (IOException e) {
            return Verdict.UNKNOWN;
        }
    }
}

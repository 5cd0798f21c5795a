package io.weft.cli;

import io.weft.netpoll.Conn;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The echo service behind {@code weft echo}, the demo and the in-process bench: every accepted
 * stream gets its bytes back until it half-closes, then the echo side closes too.
 *
 * <p>Threads: {@link #serve} runs the accept loop on the calling thread and one virtual thread
 * per stream (the CLI's blocking model; the library itself has no thread per stream).
 */
final class EchoService {

    private static final System.Logger LOG = System.getLogger("io.weft.cli.echo");
    private static final int BUFFER_BYTES = 64 * 1024;

    private EchoService() {}

    /** Accepts and echoes streams until the session ends; returns normally then. */
    static void serve(Session session) {
        while (true) {
            Stream stream;
            try {
                stream = session.acceptStream();
            } catch (IOException e) {
                return; // the session ended; its owner reports why
            }
            Thread.ofVirtual().name("echo " + stream.id()).start(() -> echo(stream));
        }
    }

    /** Echoes one connection until its peer half-closes, then half-closes and closes it. */
    static void echo(Conn conn) {
        ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
        try (conn) {
            while (conn.read(buf.clear()) >= 0) {
                conn.write(buf.flip());
            }
            conn.closeWrite();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "echo ended: " + Failures.describe(e));
        }
    }
}

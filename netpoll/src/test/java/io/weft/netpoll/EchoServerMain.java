package io.weft.netpoll;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A Weft TCP echo server run in a child JVM by {@link TcpContractTest}, so that a test with many
 * connections does not need both ends' file descriptors in one process. Prints its address on the
 * first line of stdout, echoes every connection on a virtual thread, and exits when stdin closes.
 *
 * <p>Usage: {@code EchoServerMain <poller>} where poller is "nio" or "epoll".
 */
public final class EchoServerMain {
    private EchoServerMain() {}

    /** Runs the server; see the class comment. */
    public static void main(String[] args) throws Exception {
        Listener listener = Poller.named(args[0]).listen("tcp", "127.0.0.1:0");
        System.out.println(listener.address().toString());
        System.out.flush();
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for the parent to close our stdin
                }
            } catch (IOException ignored) {
                // parent gone
            }
            System.exit(0);
        });
        while (true) {
            Conn conn = listener.accept();
            Thread.ofVirtual().start(() -> {
                ByteBuffer buffer = ByteBuffer.allocate(4096);
                try (conn) {
                    while (conn.read(buffer.clear()) >= 0) {
                        conn.write(buffer.flip());
                    }
                } catch (IOException ignored) {
                    // the client went away
                }
            });
        }
    }
}

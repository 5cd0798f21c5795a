import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A load that makes a yamux echo server hold memory: SESSIONS sessions × STREAMS streams, each
 * sending three receive windows and never reading the echo, held for HOLD seconds, then closed.
 * Used by tools/idle-rss.sh (LOAD=hold). Run from the repository root:
 * java -cp cli/target/weft.jar tools/MemoryLoad.java HOST:PORT [SESSIONS=10] [STREAMS=200] [HOLD=5]
 */
public class MemoryLoad {
    public static void main(String[] args) throws Exception {
        int colon = args[0].lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(args[0].substring(0, colon),
                Integer.parseInt(args[0].substring(colon + 1)));
        int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int streams = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int holdSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        YamuxConfig config = YamuxConfig.builder().keepAliveEnabled(false).build();
        byte[] payload = new byte[3 * 256 * 1024];
        Instant until = Instant.now().plusSeconds(holdSeconds);
        List<Session> opened = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            Session session = Session.client(SocketChannel.open(address), config);
            opened.add(session);
            for (int i = 0; i < streams; i++) {
                Stream stream = session.openStream();
                writers.add(Thread.ofVirtual().start(() -> {
                    try {
                        stream.setWriteDeadline(until);
                        stream.write(ByteBuffer.wrap(payload));
                    } catch (IOException e) {
                        // refused, or held until the deadline
                    }
                }));
            }
        }
        for (Thread w : writers) {
            w.join();
        }
        opened.forEach(Session::close);
    }
}

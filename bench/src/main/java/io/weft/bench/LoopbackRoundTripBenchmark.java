package io.weft.bench;

import io.weft.netpoll.Listener;
import io.weft.netpoll.Poller;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: latency of one 64-byte round trip over loopback TCP — the poller's park/wake hand-off on
 * both ends. The JMH thread (a platform thread) is the client; the echo end runs on a virtual
 * thread. Each transport runs in its own fork.
 * Run: {@code java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar LoopbackRoundTrip}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class LoopbackRoundTripBenchmark {

    /** {@code weft-epoll}, {@code weft-nio}, or {@code jdk} (blocking SocketChannel). */
    @Param({"weft-epoll", "weft-nio", "jdk"})
    public String transport;

    private AutoCloseable listener;
    private ByteChannel client;
    private ByteChannel server;
    private final ByteBuffer message = ByteBuffer.allocateDirect(Workloads.MESSAGE_BYTES);

    /** Connects one pair and starts the echo end. */
    @Setup(Level.Trial)
    public void connect() throws IOException {
        if (transport.startsWith("weft-")) {
            Poller poller = Poller.named(transport.substring(5));
            Listener weftListener = poller.listen("tcp", "127.0.0.1:0");
            listener = weftListener;
            client = poller.dial("tcp", NetBench.hostPort(weftListener.address()));
            server = weftListener.accept();
        } else {
            ServerSocketChannel jdkListener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            listener = jdkListener;
            SocketChannel c = SocketChannel.open(jdkListener.getLocalAddress());
            SocketChannel s = jdkListener.accept();
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            client = c;
            server = s;
        }
        ByteChannel echoEnd = server;
        Thread.ofVirtual().name("echo").start(() -> {
            try {
                Workloads.echo(echoEnd, false);
            } catch (IOException e) {
                // closed at tear-down
            }
        });
    }

    /** Closes the pair, which ends the echo thread. */
    @TearDown(Level.Trial)
    public void close() throws Exception {
        client.close();
        server.close();
        listener.close();
    }

    /** One 64-byte request and its echo. */
    @Benchmark
    public int roundTrip() throws IOException {
        message.clear();
        while (message.hasRemaining()) {
            client.write(message);
        }
        message.clear();
        while (message.hasRemaining()) {
            if (client.read(message) < 0) {
                throw new IOException("echo end closed");
            }
        }
        return message.get(0);
    }
}

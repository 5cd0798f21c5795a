package io.weft.example;

import io.weft.netpoll.Listener;
import io.weft.netpoll.Net;
import io.weft.netpoll.Poller;
import io.weft.yamux.Session;
import io.weft.yamux.Stream;
import io.weft.yamux.YamuxConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A yamux echo over loopback TCP, then what it ran on: prints {@code echo: <reply>}, {@code
 * poller: <epoll|nio>} and {@code yamux module: <name|unnamed>}.
 */
public final class Echo {
    private Echo() {}

    public static void main(String[] args) throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            Thread.ofVirtual().start(() -> {
                try (Session server = Session.server(ln.accept(), YamuxConfig.defaults())) {
                    try (Stream s = server.acceptStream()) {
                        s.inputStream().transferTo(s.outputStream());
                    }
                    server.acceptStream(); // until the client closes the session
                } catch (IOException e) {
                    // session closed
                }
            });
            try (Session client = Session.client(Net.dial("tcp", ln.address().toString()), YamuxConfig.defaults())) {
                Stream s = client.openStream();
                s.setReadDeadline(Instant.now().plusSeconds(20));
                s.write(ByteBuffer.wrap("hello from a consumer".getBytes(StandardCharsets.UTF_8)));
                s.closeWrite();
                System.out.println("echo: " + new String(s.inputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        System.out.println("poller: " + Poller.system().name());
        Module yamux = Session.class.getModule();
        System.out.println("yamux module: " + (yamux.isNamed() ? yamux.getName() : "unnamed"));
    }
}

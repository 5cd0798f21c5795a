package io.weft.netpoll.epoll;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import io.weft.netpoll.ListenerContractTest;
import io.weft.netpoll.Poller;
import io.weft.netpoll.spi.Addresses;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/** The listener contract on the epoll poller, for TCP and unix sockets. */
class EpollListenerContractTest {

    @Nested
    class Tcp extends ListenerContractTest {
        @Override
        protected Listener listen() throws Exception {
            return Poller.named("epoll").listen("tcp", "127.0.0.1:0");
        }

        @Override
        protected Conn dial(Listener listener) throws Exception {
            return Poller.named("epoll").dial("tcp", Addresses.format(listener.address()));
        }
    }

    @Nested
    class Unix extends ListenerContractTest {
        private Path directory;

        @Override
        protected Listener listen() throws Exception {
            directory = Files.createTempDirectory("weft-epoll-listener");
            return Poller.named("epoll").listen("unix", directory.resolve("l.sock").toString());
        }

        @Override
        protected Conn dial(Listener listener) throws Exception {
            return Poller.named("epoll").dial("unix", directory.resolve("l.sock").toString());
        }

        @AfterEach
        void removeDirectory() throws Exception {
            Files.deleteIfExists(directory.resolve("l.sock"));
            Files.deleteIfExists(directory);
        }
    }
}

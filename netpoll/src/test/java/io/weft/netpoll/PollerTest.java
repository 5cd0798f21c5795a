package io.weft.netpoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.netpoll.spi.Transport;
import java.net.SocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PollerTest {

    /** A backend that exists but cannot run, as epoll on a machine without native access. */
    private record Unusable(String name, String unavailableReason) implements Transport {
        @Override
        public Listener listen(String network, SocketAddress address) {
            throw new AssertionError("never used");
        }

        @Override
        public Conn dial(String network, SocketAddress address, long deadlineNanos) {
            throw new AssertionError("never used");
        }
    }

    /** A backend that can run. */
    private record Usable(String name) implements Transport {
        @Override
        public String unavailableReason() {
            return null;
        }

        @Override
        public Listener listen(String network, SocketAddress address) {
            throw new AssertionError("never used");
        }

        @Override
        public Conn dial(String network, SocketAddress address, long deadlineNanos) {
            throw new AssertionError("never used");
        }
    }

    /** Records what would be logged. */
    private static final class RecordingLogger implements System.Logger {
        final List<String> lines = new ArrayList<>();

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            lines.add(level + " " + message);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + format);
        }

        @Override
        public void log(Level level, Supplier<String> messageSupplier) {
            lines.add(level + " " + messageSupplier.get());
        }
    }

    @Test
    void usableEpollIsChosenSilently() {
        RecordingLogger log = new RecordingLogger();
        Poller chosen = Poller.choose(null, Map.of("epoll", new Usable("epoll")), "Linux", log);
        assertThat(chosen.name()).isEqualTo("epoll");
        assertThat(log.lines).isEmpty();
    }

    @Test
    void unusableEpollFallsBackToNioWithOneWarningSayingWhy() {
        RecordingLogger log = new RecordingLogger();
        Poller chosen = Poller.choose(null, Map.of("epoll", new Unusable("epoll", "native access is not enabled")), "Linux", log);
        assertThat(chosen.name()).isEqualTo("nio");
        assertThat(log.lines).containsExactly("WARNING weft netpoll: using the nio poller instead of epoll: native access is not enabled");
    }

    @Test
    void missingEpollModuleFallsBackWithOneWarningOnLinux() {
        RecordingLogger log = new RecordingLogger();
        assertThat(Poller.choose("", Map.of(), "Linux", log).name()).isEqualTo("nio");
        assertThat(log.lines).hasSize(1).first().asString().startsWith("WARNING").contains("not on the class or module path");
    }

    @Test
    void epollThatFailedToLoadIsReportedWithItsError() {
        RecordingLogger log = new RecordingLogger();
        ProviderFailure failure = ProviderFailure.of(new NoClassDefFoundError("io/weft/netpoll/spi/Transport"), 25);
        assertThat(Poller.choose(null, Map.of("epoll", failure), "Linux", log).name()).isEqualTo("nio");
        assertThat(log.lines).singleElement().asString().startsWith("WARNING").contains("NoClassDefFoundError");
    }

    @Test
    void epollCompiledForANewerJavaIsAQuietFallbackOnJava21(@TempDir Path dir) throws Exception {
        // A provider whose class file is too new for this JVM, as the epoll module (Java 22) is on Java 21:
        // loading it throws a real UnsupportedClassVersionError.
        Path services = dir.resolve("META-INF/services/" + Transport.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, "toonew.Epoll\n");
        Files.createDirectories(dir.resolve("toonew"));
        Files.write(dir.resolve("toonew/Epoll.class"), new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 99,
            0, 0, 0, 0, 0, 0, 0, 0});
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, Poller.class.getClassLoader())) {
            Map<String, Object> onJava21 = Poller.loadProviders(loader, 21);
            assertThat(onJava21.get("epoll")).isEqualTo(new ProviderFailure("the epoll module needs Java 22 or newer (this is Java 21)", true));
            RecordingLogger log = new RecordingLogger();
            assertThat(Poller.choose(null, onJava21, "Linux", log).name()).isEqualTo("nio");
            assertThat(log.lines).singleElement().asString().startsWith("DEBUG").doesNotContain("UnsupportedClassVersionError");
            assertThatThrownBy(() -> Poller.choose("epoll", onJava21, "Linux", log))
                    .hasMessage("poller epoll is unavailable: the epoll module needs Java 22 or newer (this is Java 21)");

            // On a JVM that should have loaded it, the same error is a broken install: a WARNING with the error.
            ProviderFailure onJava25 = (ProviderFailure) Poller.loadProviders(loader, 25).get("epoll");
            assertThat(onJava25.expected()).isFalse();
            assertThat(onJava25.reason()).contains("UnsupportedClassVersionError");
        }
    }

    @Test
    void otherSystemsUseNioWithoutAWarning() {
        RecordingLogger log = new RecordingLogger();
        assertThat(Poller.choose(null, Map.of(), "Mac OS X", log).name()).isEqualTo("nio");
        assertThat(log.lines).allMatch(line -> line.startsWith("DEBUG"));
    }

    @Test
    void propertyForcesABackend() {
        RecordingLogger log = new RecordingLogger();
        Map<String, Object> found = Map.of("epoll", new Usable("epoll"));
        assertThat(Poller.choose("nio", found, "Linux", log).name()).isEqualTo("nio");
        assertThat(Poller.choose(" EPOLL ", found, "Linux", log).name()).isEqualTo("epoll");
        assertThat(log.lines).isEmpty();
    }

    @Test
    void forcingAnUnusableOrUnknownBackendFailsClearly() {
        RecordingLogger log = new RecordingLogger();
        Map<String, Object> found = Map.of("epoll", new Unusable("epoll", "not Linux"));
        assertThatThrownBy(() -> Poller.choose("epoll", found, "Linux", log))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("poller epoll is unavailable: not Linux");
        assertThatThrownBy(() -> Poller.choose("kqueue", found, "Linux", log))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown poller \"kqueue\"");
    }

    @Test
    void nioIsAlwaysNamedAndSharedAndSystemChoiceIsStable() {
        assertThat(Poller.names()).contains("nio");
        assertThat(Poller.named("nio")).isSameAs(Poller.named("NIO"));
        assertThat(Poller.system()).isSameAs(Poller.system());
        assertThat(Poller.names()).contains(Poller.system().name());
    }
}

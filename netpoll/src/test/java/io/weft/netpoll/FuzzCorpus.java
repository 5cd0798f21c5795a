package io.weft.netpoll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The committed inputs of a Jazzer fuzz target, for the plain JUnit test that replays them in
 * every build (docs/fuzzing.md). A target's inputs live where Jazzer looks for them and writes
 * its findings: the test resource directory {@code <TestClass>Inputs/<method>/} beside the test
 * class (for example {@code src/test/resources/io/weft/yamux/frame/FrameFuzzTestInputs/fuzz/}).
 * Stateless; any thread.
 */
public final class FuzzCorpus {
    private FuzzCorpus() {}

    /**
     * Every file of {@code testClass}'s inputs directory for {@code method}, as (file name, bytes)
     * arguments sorted by name.
     *
     * @throws IllegalStateException if the directory is missing or empty (a replay test that
     *     replays nothing must fail, not pass)
     */
    public static Stream<Arguments> inputs(Class<?> testClass, String method) {
        String resource = testClass.getSimpleName() + "Inputs/" + method;
        URL url = testClass.getResource(resource);
        if (url == null) {
            throw new IllegalStateException("no fuzz corpus " + resource + " beside " + testClass.getName());
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            List<Path> sorted = files.filter(Files::isRegularFile).sorted().toList();
            if (sorted.isEmpty()) {
                throw new IllegalStateException("empty fuzz corpus " + url);
            }
            return sorted.stream().map(file -> Arguments.of(file.getFileName().toString(), read(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

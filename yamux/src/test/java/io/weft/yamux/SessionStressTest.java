package io.weft.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Heavy variants (run with -Pstress): hashicorp's full-size SendData_VeryLarge and many streams. */
@Tag("stress")
class SessionStressTest {

    @ParameterizedTest
    @EnumSource(SessionPair.Kind.class)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void sendDataVeryLargeOverManyStreams(SessionPair.Kind kind) throws Exception {
        try (SessionPair pair = SessionPair.open(kind)) {
            int streams = 16;
            int size = 64 * 1024 * 1024 / streams;
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                long seed = s;
                all.add(CompletableFuture.runAsync(() -> {
                    try (Stream stream = pair.server().acceptStream()) {
                        MessageDigest digest = MessageDigest.getInstance("SHA-256");
                        byte[] buffer = new byte[64 * 1024];
                        int n;
                        while ((n = stream.inputStream().read(buffer)) > 0) {
                            digest.update(buffer, 0, n);
                        }
                        stream.write(ByteBuffer.wrap(digest.digest()));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, r -> Thread.ofVirtual().start(r)));
                all.add(CompletableFuture.runAsync(() -> {
                    try (Stream stream = pair.client().openStream()) {
                        byte[] data = new byte[size];
                        new Random(seed).nextBytes(data);
                        for (int offset = 0; offset < size; offset += 100_000) {
                            stream.write(ByteBuffer.wrap(data, offset, Math.min(100_000, size - offset)));
                        }
                        stream.closeWrite();
                        byte[] echoed = stream.inputStream().readAllBytes();
                        assertThat(echoed).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, r -> Thread.ofVirtual().start(r)));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(4, TimeUnit.MINUTES);
        }
    }

    @ParameterizedTest
    @EnumSource(SessionPair.Kind.class)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void thousandStreamsPingPong(SessionPair.Kind kind) throws Exception {
        YamuxConfig config = SessionPair.testConfig().acceptBacklog(1000).build();
        try (SessionPair pair = SessionPair.open(kind, config, config)) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int s = 0; s < 1000; s++) {
                all.add(CompletableFuture.runAsync(() -> pingPong(pair.server(), false), r -> Thread.ofVirtual().start(r)));
                all.add(CompletableFuture.runAsync(() -> pingPong(pair.client(), true), r -> Thread.ofVirtual().start(r)));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(4, TimeUnit.MINUTES);
            SessionStats stats = pair.client().stats();
            System.out.printf("%s: %d frames out in %d transport writes%n", kind, stats.framesOut(), stats.transportWrites());
        }
    }

    private static void pingPong(Session session, boolean opener) {
        try (Stream stream = opener ? session.openStream() : session.acceptStream()) {
            ByteBuffer buffer = ByteBuffer.allocate(4);
            for (int i = 0; i < 100; i++) {
                if (opener) {
                    stream.write(buffer.clear().putInt(0, i));
                }
                buffer.clear();
                while (buffer.hasRemaining()) {
                    if (stream.read(buffer) < 0) {
                        throw new IOException("early EOF");
                    }
                }
                assertThat(buffer.getInt(0)).isEqualTo(i);
                if (!opener) {
                    stream.write(buffer.flip());
                }
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}

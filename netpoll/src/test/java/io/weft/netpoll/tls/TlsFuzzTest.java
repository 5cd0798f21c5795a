package io.weft.netpoll.tls;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.weft.netpoll.FuzzCorpus;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes a server {@link TlsConn} with arbitrary client bytes, from the ClientHello on or after a
 * real handshake (see {@link TlsFuzzRun} for the input format and the invariants).
 *
 * <p>{@link #fuzz} runs only under {@code ./build test -Pstress} (docs/fuzzing.md); {@link
 * #replay} runs the committed corpus, seeds and findings, in every build.
 */
class TlsFuzzTest {

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void fuzz(byte[] data) throws Exception {
        TlsFuzzRun.check(data);
    }

    static Stream<Arguments> corpus() {
        return FuzzCorpus.inputs(TlsFuzzTest.class, "fuzz");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @Timeout(60)
    void replay(String name, byte[] data) throws Exception {
        TlsFuzzRun.check(data);
    }
}

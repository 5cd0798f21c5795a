package io.weft.yamux;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.weft.netpoll.FuzzCorpus;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes a whole {@link Session} with arbitrary inbound bytes over an in-memory pipe (see {@link
 * SessionFuzzRun} for the input format and the invariants checked on each input).
 *
 * <p>{@link #fuzz} runs only under {@code ./build test -Pstress} (docs/fuzzing.md); {@link
 * #replay} runs the committed corpus, seeds and findings, in every build.
 */
class SessionFuzzTest {

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void fuzz(byte[] data) throws Exception {
        SessionFuzzRun.check(data);
    }

    static Stream<Arguments> corpus() {
        return FuzzCorpus.inputs(SessionFuzzTest.class, "fuzz");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @Timeout(30)
    void replay(String name, byte[] data) throws Exception {
        SessionFuzzRun.check(data);
    }
}

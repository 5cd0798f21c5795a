package io.weft.bench;

import io.weft.yamux.frame.Flags;
import io.weft.yamux.frame.FrameHeader;
import io.weft.yamux.frame.FrameType;
import io.weft.yamux.frame.MalformedFrameException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: cost of the 12-byte yamux header on the hot path — the allocation-free static encoder the
 * writer uses, the record round trip, and field-wise decoding straight from the read buffer.
 * Run: {@code java -jar bench/target/benchmarks.jar FrameHeader}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameHeaderBenchmark {

    private final byte[] wire = new byte[FrameHeader.SIZE * 2];
    private final ByteBuffer buffer = ByteBuffer.allocate(FrameHeader.SIZE);
    private FrameHeader header;
    private int streamId;

    /** Fills the decode input with a Data|ACK header. */
    @Setup
    public void setUp() {
        header = FrameHeader.data(7, Flags.ACK, 65_536);
        header.encode(wire, FrameHeader.SIZE);
    }

    /** The writer's path: fields straight into a reusable array, no header object. */
    @Benchmark
    public byte[] encodeFieldsIntoArray() {
        FrameHeader.encode(wire, 0, FrameType.DATA, Flags.NONE, streamId += 2, 65_536);
        return wire;
    }

    /** Encoding a header record into a ByteBuffer. */
    @Benchmark
    public ByteBuffer encodeRecordIntoBuffer() {
        buffer.clear();
        header.encode(buffer);
        return buffer;
    }

    /** Decoding into a header record (validates version and type). */
    @Benchmark
    public FrameHeader decodeRecord() throws MalformedFrameException {
        return FrameHeader.decode(wire, FrameHeader.SIZE);
    }

    /** The reader's path: validate, then read the fields without building a record. */
    @Benchmark
    public long decodeFields() throws MalformedFrameException {
        FrameType type = FrameHeader.checkedType(wire, FrameHeader.SIZE);
        return type.code() + FrameHeader.flagsAt(wire, FrameHeader.SIZE)
                + FrameHeader.streamIdAt(wire, FrameHeader.SIZE) + FrameHeader.lengthAt(wire, FrameHeader.SIZE);
    }
}

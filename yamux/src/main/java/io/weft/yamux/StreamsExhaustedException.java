package io.weft.yamux;

import java.io.IOException;

/**
 * This side has used every stream id it may use (2^32 / 2 of them); no new stream can be
 * opened on this session. Existing streams keep working.
 */
public class StreamsExhaustedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public StreamsExhaustedException() {
        super("stream ids exhausted");
    }
}

package io.weft.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Joins one process's stdout to another's stdin, as a shell pipe would. */
final class Pipes {

    private Pipes() {}

    /** Copies {@code from} to {@code to} on a virtual thread, flushing every read; closes {@code to} at EOF. */
    static Thread pump(InputStream from, OutputStream to) {
        return Thread.ofVirtual().name("pipe").start(() -> {
            byte[] buf = new byte[64 * 1024];
            try (to) {
                int n;
                while ((n = from.read(buf)) >= 0) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            } catch (IOException ignored) {
                // one side exited; the test checks the outcome
            }
        });
    }
}

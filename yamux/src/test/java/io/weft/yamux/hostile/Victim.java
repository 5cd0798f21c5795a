package io.weft.yamux.hostile;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A yamux echo server under attack: where to connect, and how much it holds. Implemented by the
 * in-process Weft {@link EchoVictim} and by {@link ChildVictim} (a Weft or hashicorp/yamux echo
 * server in a process of its own). Usable from any thread.
 */
interface Victim extends AutoCloseable {

    /** Short name for tables, e.g. {@code "weft"} or {@code "hashicorp"}. */
    String name();

    /** The echo server's TCP address. */
    InetSocketAddress address();

    /** The server's state right after a full garbage collection. */
    Snapshot snapshot() throws IOException;

    /**
     * The server's sessions and streams without a garbage collection (heap is then -1), for polling.
     */
    Snapshot counts() throws IOException;

    @Override
    void close();

    /**
     * What a victim holds at one moment.
     *
     * @param heapBytes heap in use after a full GC (Java: MemoryMXBean; Go: HeapAlloc after runtime.GC)
     * @param threads threads the server runs: for Weft the live threads it created (session reader,
     *     writer and close threads, the accept loops and one echo thread per stream, virtual or
     *     not); for Go its goroutines
     * @param rssBytes resident set size of the server's process, or -1 when it shares the test's JVM
     * @param sessions yamux sessions not yet closed
     * @param streams streams of those sessions
     */
    record Snapshot(long heapBytes, int threads, long rssBytes, int sessions, int streams) {

        /** A one-line summary for messages. */
        @Override
        public String toString() {
            return "heap " + heapBytes / 1024 + " KiB, " + threads + " threads, rss "
                    + (rssBytes < 0 ? "n/a" : rssBytes / 1024 + " KiB") + ", " + sessions + " sessions, "
                    + streams + " streams";
        }
    }
}

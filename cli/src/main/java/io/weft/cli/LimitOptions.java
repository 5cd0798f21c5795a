package io.weft.cli;

import io.weft.yamux.MemoryBudget;
import io.weft.yamux.YamuxConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The per-process caps of the commands that accept any number of sessions ({@code echo},
 * {@code tunnel}): one {@link MemoryBudget} shared by every session of the process, so that
 * sessions × streams cannot exhaust the heap. A new stream beyond it is refused with RST, a new
 * session with GoAway(2); what was admitted keeps working. A picocli mixin, filled in on the main
 * thread before the command runs.
 *
 * <p>Defaults come from the heap: the budget is half of {@code -Xmx} ({@code Runtime.maxMemory()});
 * each stream is charged its receive window, the library's per-stream overhead and
 * {@link #CLI_BYTES_PER_STREAM} (the command's copy buffers and thread); {@code --max-streams}
 * defaults to what the budget holds at the configured window, {@code --max-sessions} to what a
 * quarter of it holds at {@link MemoryBudget#SESSION_BYTES} each.
 */
@Command(addMethodSubcommands = false) // a mixin: no method scan for subcommands (start-up time)
final class LimitOptions {

    /** What the command itself holds per stream: echo's 64 KiB buffer or splice's two 32 KiB ones, plus a virtual thread. */
    static final long CLI_BYTES_PER_STREAM = 72 * 1024;

    @Option(names = "--max-sessions", paramLabel = "N",
            description = "Most yamux sessions at once in this process; more get GoAway (default: from the heap).")
    Integer maxSessions;

    @Option(names = "--max-streams", paramLabel = "N",
            description = "Most streams at once over all sessions of this process; more are refused with RST"
                    + " (default: from the heap).")
    Integer maxStreams;

    /**
     * The budget for this process's sessions under {@code config}.
     *
     * @throws IllegalArgumentException for a limit below 1 (reported as a usage error)
     */
    MemoryBudget budget(YamuxConfig config) {
        return budget(config, Runtime.getRuntime().maxMemory());
    }

    /** As {@link #budget(YamuxConfig)} for a heap of {@code maxHeapBytes}. Visible for testing. */
    MemoryBudget budget(YamuxConfig config, long maxHeapBytes) {
        long bytes = maxHeapBytes / 2;
        MemoryBudget.Builder b = MemoryBudget.builder().maxBytes(bytes).extraBytesPerStream(CLI_BYTES_PER_STREAM);
        long perStream = b.build().bytesPerStream(config);
        int streams = maxStreams != null ? maxStreams : (int) Math.clamp(bytes / perStream, 1, Integer.MAX_VALUE);
        int sessions = maxSessions != null ? maxSessions
                : (int) Math.clamp(bytes / 4 / MemoryBudget.SESSION_BYTES, 1, Integer.MAX_VALUE);
        if (streams < 1) {
            throw new IllegalArgumentException("--max-streams must be at least 1: " + streams);
        }
        if (sessions < 1) {
            throw new IllegalArgumentException("--max-sessions must be at least 1: " + sessions);
        }
        return b.maxStreams(streams).maxSessions(sessions).build();
    }

    /** One log line: the limits in force and where they come from. */
    static String describe(MemoryBudget budget) {
        return "limits: " + Format.count(budget.maxSessions()) + " sessions, " + Format.count(budget.maxStreams())
                + " streams, " + ByteSize.format(budget.maxBytes()) + " of buffers (half of the "
                + ByteSize.format(Runtime.getRuntime().maxMemory()) + " heap)";
    }
}

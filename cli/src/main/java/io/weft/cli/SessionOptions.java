package io.weft.cli;

import io.weft.yamux.YamuxConfig;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The yamux session options every command that runs a session takes, mirroring
 * {@link YamuxConfig} (and so hashicorp's {@code Config}). Unset options keep
 * {@link YamuxConfig#defaults()}, which equal hashicorp's {@code DefaultConfig()}. A picocli
 * mixin, filled in on the main thread before the command runs.
 */
@Command(addMethodSubcommands = false) // a mixin: no method scan for subcommands (start-up time)
final class SessionOptions {

    @Option(names = "--keepalive", paramLabel = "DURATION", converter = GoDuration.class,
            description = "Keepalive ping interval (default: 30s).")
    Duration keepAliveInterval;

    @Option(names = "--no-keepalive", description = "Send no keepalive pings.")
    boolean noKeepAlive;

    @Option(names = "--write-timeout", paramLabel = "DURATION", converter = GoDuration.class,
            description = "Connection write timeout; also how long a ping waits for its reply (default: 10s).")
    Duration writeTimeout;

    @Option(names = "--window", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Initial per-stream receive window, at least 256KiB (default: 256KiB).")
    Long windowBytes;

    @Option(names = "--max-window", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Ceiling for window auto-tuning (default: 16MiB).")
    Long maxWindowBytes;

    @Option(names = "--no-autotune",
            description = "Keep every stream window at --window, exactly like hashicorp/yamux.")
    boolean noAutoTune;

    @Option(names = "--accept-backlog", paramLabel = "N",
            description = "Inbound streams waiting to be accepted before new ones are refused (default: 256).")
    Integer acceptBacklog;

    @Option(names = "--max-session-streams", paramLabel = "N",
            description = "Limit of concurrent inbound streams per session; more are refused with RST (default: 1000).")
    Integer maxInboundStreams;

    @Option(names = "--stream-open-timeout", paramLabel = "DURATION", converter = GoDuration.class,
            description = "Reset a stream the peer has not acknowledged within this time (default: 75s).")
    Duration streamOpenTimeout;

    @Option(names = "--stream-close-timeout", paramLabel = "DURATION", converter = GoDuration.class,
            description = "Reset a closed stream whose peer never closes its side within this time (default: 5m).")
    Duration streamCloseTimeout;

    /**
     * The configuration: the defaults with every given option applied.
     *
     * @throws IllegalArgumentException when YamuxConfig rejects a value (reported as a usage error)
     */
    YamuxConfig toConfig() {
        YamuxConfig.Builder b = YamuxConfig.defaults().toBuilder();
        if (noKeepAlive) {
            b.keepAliveEnabled(false);
        }
        if (keepAliveInterval != null) {
            b.keepAliveInterval(keepAliveInterval);
        }
        if (writeTimeout != null) {
            b.connectionWriteTimeout(writeTimeout);
        }
        if (windowBytes != null) {
            b.streamWindowBytes(toInt("--window", windowBytes));
        }
        if (maxWindowBytes != null) {
            b.maxAutoTunedWindowBytes(toInt("--max-window", maxWindowBytes));
        }
        if (noAutoTune) {
            b.windowAutoTuning(false);
        }
        if (acceptBacklog != null) {
            b.acceptBacklog(acceptBacklog);
        }
        if (maxInboundStreams != null) {
            b.maxInboundStreams(maxInboundStreams);
        }
        if (streamOpenTimeout != null) {
            b.streamOpenTimeout(streamOpenTimeout);
        }
        if (streamCloseTimeout != null) {
            b.streamCloseTimeout(streamCloseTimeout);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(withFlagNames(e.getMessage()), e);
        }
    }

    /** YamuxConfig names its fields; the user typed flags. */
    static String withFlagNames(String message) {
        String m = String.valueOf(message);
        String[][] names = {
            {"maxAutoTunedWindowBytes", "--max-window"},
            {"streamWindowBytes", "--window"},
            {"keepAliveInterval", "--keepalive"},
            {"connectionWriteTimeout", "--write-timeout"},
            {"acceptBacklog", "--accept-backlog"},
            {"maxInboundStreams", "--max-session-streams"},
            {"streamOpenTimeout", "--stream-open-timeout"},
            {"streamCloseTimeout", "--stream-close-timeout"}
        };
        for (String[] n : names) {
            m = m.replace(n[0], n[1]);
        }
        return m;
    }

    private static int toInt(String option, long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + " must be less than 2GiB");
        }
        return (int) bytes;
    }
}

package io.weft.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code weft} command: entry point and top-level usage. Runs on the main thread; each
 * subcommand documents its own threads.
 */
@Command(
        name = "weft",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Go's network model for the JVM: netpoll and yamux, wire-compatible with hashicorp/yamux.",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  ok",
            "  1  I/O error",
            "  2  usage error",
            "  3  yamux protocol error",
            "  4  keepalive timeout",
            "  130  interrupted"
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code; used by tests. */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** Reads the version Maven wrote into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties props = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    props.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {
                "weft " + props.getProperty("version", "unknown"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
            };
        }
    }
}

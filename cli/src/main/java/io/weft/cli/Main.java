package io.weft.cli;

import io.weft.netpoll.Poller;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code weft} command: entry point, top-level usage, the global {@code -v}/{@code -q}
 * options, and the mapping of failures to exit codes and one-line messages. Runs on the main
 * thread; each subcommand documents its own threads.
 */
@Command(
        name = "weft",
        mixinStandardHelpOptions = true,
        addMethodSubcommands = false,
        versionProvider = Main.Version.class,
        description = "Go's network model for the JVM: netpoll and yamux, wire-compatible with hashicorp/yamux.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  weft demo                      a loopback session under load, then a summary",
            "  mkfifo p; cat p | weft stdio localhost 80 | weft stdio -l 8080 > p",
            "  weft tls init ~/.weft          certificate, key and token; prints the pin",
            "  weft tunnel --listen :7000 --to localhost:80 --tls-cert ~/.weft/cert.pem \\",
            "      --tls-key ~/.weft/key.pem --token-file ~/.weft/token       the exit side",
            "  weft tunnel --connect host:7000 --from 127.0.0.1:8080 \\",
            "      --tls-pin sha256:<pin> --token-file token                 the entry side",
            "  weft echo --listen :7000 & weft ping -c 3 localhost:7000",
            "",
            "Durations: 500ms, 30s, 1m30s, 2h or ISO-8601 (PT30S).",
            "Sizes: 4096, 64KiB, 16MiB, 1GiB.",
            "Addresses: host:port, :port, [::1]:port, unix:/path (or a path starting with /).",
            "",
            "Exit codes:",
            "  0    ok",
            "  1    I/O error (connection refused or reset, transport failed)",
            "  2    usage error (bad option, address, duration or size; port in use)",
            "  3    protocol error (yamux, or the peer does not speak yamux or TLS)",
            "  4    keepalive timeout (the peer stopped answering pings)",
            "  5    authentication failed (token refused or missing, certificate or pin",
            "       rejected)",
            "  130  interrupted (Ctrl-C, or SIGTERM; tunnel and echo exit 0 after a SIGTERM",
            "       drain)"
        })
public final class Main implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "More detail on stderr; repeat for more (-vv debug, -vvv everything).")
    boolean[] verbose = new boolean[0];

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "Errors only on stderr.")
    boolean quiet;

    /**
     * Runs the command line and exits with its exit code. The poller's native calls are linked on
     * another thread meanwhile ({@link Poller#prepareInBackground()}): on two cores that overlaps
     * most of picocli's start-up (docs/benchmarks.md, "Footprint"). Not for {@code --version},
     * which needs only the poller's availability check (one native call) and would share the
     * cores with the linking of all the others.
     */
    public static void main(String[] args) {
        if (!versionOnly(args)) {
            Poller.prepareInBackground();
        }
        int code = run(args);
        Shutdown.finished();
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * The subcommands by name, in the order the usage lists them. They are added to the command
     * line when needed, not declared on {@code @Command}: picocli builds a command's model by
     * reflection when it is added, about half of a {@code weft tunnel}'s start-up for all eight.
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("demo", DemoCommand::new);
        commands.put("stdio", StdioCommand::new);
        commands.put("tunnel", TunnelCommand::new);
        commands.put("echo", EchoCommand::new);
        commands.put("ping", PingCommand::new);
        commands.put("bench", BenchCommand::new);
        commands.put("tls", TlsCommand::new);
        commands.put("help", CommandLine.HelpCommand::new);
        return commands;
    }

    /**
     * Runs the command line and returns its exit code; used by tests. {@code --version} alone is
     * answered without picocli ({@link #printVersion}): building the command model by reflection
     * was most of its start-up time (docs/benchmarks.md, "Footprint").
     */
    public static int run(String... args) {
        if (versionOnly(args)) {
            PrintWriter out = new PrintWriter(System.out, false, System.out.charset());
            printVersion(out);
            return Failures.OK;
        }
        CommandLine cl = commandLine(args);
        String[] expanded;
        try {
            expanded = ConfigFile.expand(() -> commandLine(args), args);
        } catch (ConfigFile.ConfigFileException e) {
            cl.getErr().println("weft: " + e.getMessage());
            cl.getErr().flush();
            return Failures.USAGE;
        }
        return cl.execute(expanded);
    }

    /** The configured command line with every subcommand: logging set up before execution, failures mapped to exit codes. */
    static CommandLine commandLine() {
        return commandLine(new String[] {"help"});
    }

    /**
     * The configured command line for {@code args}: with only the subcommand they name (the
     * first argument that is not an option), with none for {@code --version} alone, and with
     * all of them otherwise (the usage lists them; a misspelt name gets suggestions).
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        String named = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse(null);
        if (named != null && SUBCOMMANDS.containsKey(named) && !named.equals("help")) {
            cl.addSubcommand(SUBCOMMANDS.get(named).get());
        } else if (!versionOnly(args)) {
            SUBCOMMANDS.values().forEach(command -> cl.addSubcommand(command.get()));
        }
        cl.setExecutionStrategy(Main::executeWithLogging);
        cl.setExecutionExceptionHandler(Main::handleFailure);
        cl.setParameterExceptionHandler(Main::handleUsageError);
        return cl;
    }

    /**
     * What picocli prints for {@code --version}, the {@link Version} lines, with logging set up
     * as for any command (a poller fallback warning looks the same either way). Flushes {@code
     * out}.
     */
    static void printVersion(PrintWriter out) {
        Logging.configure(0, false);
        for (String line : new Version().getVersion()) {
            out.println(line);
        }
        out.flush();
    }

    /** {@code weft --version} or {@code weft -V}, and nothing else. */
    private static boolean versionOnly(String[] args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    private static int executeWithLogging(ParseResult parseResult) {
        Main top = parseResult.commandSpec().commandLine().getCommand();
        int verbosity = 0;
        for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption("-v")) {
                verbosity = Math.max(verbosity, pr.matchedOptionValue("-v", new boolean[0]).length);
            }
        }
        verbosity = Math.max(verbosity, top.verbose.length);
        Logging.configure(verbosity, top.quiet);
        return new CommandLine.RunLast().execute(parseResult);
    }

    /** Usage errors: exactly one line naming the problem (the help is one {@code --help} away), exit 2. */
    private static int handleUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String message = String.valueOf(e.getMessage()).strip().replace(System.lineSeparator(), " ").replace('\n', ' ');
        err.println(commandPath(cl) + ": " + message);
        err.flush();
        return Failures.USAGE;
    }

    /** Failures while running: one line on stderr (a stack trace too with -vv), mapped exit code. */
    private static int handleFailure(Exception e, CommandLine cl, ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        String name = commandPath(cl);
        if (e instanceof IllegalArgumentException && !(e.getCause() instanceof IOException)) {
            err.println(name + ": " + e.getMessage());
            err.flush();
            return Failures.USAGE;
        }
        err.println(name + ": " + Failures.describe(e));
        if (System.getLogger("io.weft.cli").isLoggable(System.Logger.Level.TRACE)) {
            e.printStackTrace(err);
        }
        err.flush();
        return Failures.exitCode(e);
    }

    /** The command as typed, for messages: {@code "weft"}, {@code "weft tunnel"}, {@code "weft tls init"}. */
    private static String commandPath(CommandLine cl) {
        String path = cl.getCommandName();
        for (CommandLine p = cl.getParent(); p != null; p = p.getParent()) {
            path = p.getCommandName() + " " + path;
        }
        return path.startsWith("weft") ? path : "weft " + path;
    }

    /** No command given (--help and --version never get here): the usage on stderr, a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Failures.USAGE;
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
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
                "netpoll poller: " + pollerName()
            };
        }

        /** Which backend the commands would use: "epoll" on Linux when the jar is put together right. */
        private static String pollerName() {
            try {
                return Poller.system().name();
            } catch (RuntimeException e) {
                return "unavailable (" + Failures.describe(e) + ")";
            }
        }
    }
}

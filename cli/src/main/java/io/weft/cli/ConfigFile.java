package io.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.toml.TomlStreamReadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * {@code --config FILE}: a TOML file holding any of a command's options. Each key is a long
 * option name without {@code --} ({@code listen = ":7000"}, {@code token-file = "/etc/weft/token"});
 * a flag is a boolean ({@code insecure = true}; {@code false} leaves it unset), a repeatable
 * option an array ({@code forward = ["a", "b"]}; a single string works too), every other value
 * a string — durations and sizes too ({@code drain-timeout = "10s"}, {@code window = "1MiB"}) —
 * or an integer where the option takes a number ({@code max-retries = 5}). The mapping is
 * derived from the command's picocli model, so every option a command has, now or later, can
 * be set; nothing is listed by hand.
 *
 * <p>Options given on the command line win over the file: the file's value of an option the
 * command line sets is ignored, a repeatable option included (the command line's list replaces
 * the file's), and so is any option of an exclusive group the command line chose a member of
 * ({@code --connect} on the command line drops {@code listen} from the file).
 *
 * <p>Errors name the file and line ({@code config.toml:7: unknown key "lisen" (did you mean
 * "listen"?)}): TOML syntax, unknown keys, tables (keys are flat), a value of the wrong type, a
 * value the option's converter refuses, two members of an exclusive group. They are usage
 * errors (exit 2). Values are never logged; secrets belong in files of their own
 * ({@code token-file}), which is why there is no {@code token} key.
 *
 * <p>Implementation: the file's settings become arguments ({@code --listen=:7000}) appended to
 * the command line, so picocli converts and validates them exactly as typed ones. Stateless;
 * called on the main thread before the command line runs.
 */
final class ConfigFile {

    /** The option naming the file; a command that declares it (see {@link ConfigOption}) can read one. */
    static final String OPTION = "--config";

    private ConfigFile() {}

    /** A config file that cannot be read or used; the message starts with {@code FILE:LINE:} when a line is known. */
    static final class ConfigFileException extends IOException {
        private static final long serialVersionUID = 1L;

        ConfigFileException(String message) {
            super(message);
        }
    }

    /**
     * The arguments to run: {@code args} unchanged without {@code --config}, otherwise
     * {@code args} with the file's settings added for every option the command line leaves
     * unset.
     *
     * @param commandLines makes a fresh, unused command line of the whole command tree (each
     *     call a new one: parsing fills in the command objects)
     * @throws ConfigFileException when the file cannot be read, is not valid TOML or sets
     *     something the command does not take
     */
    static String[] expand(Supplier<CommandLine> commandLines, String[] args) throws ConfigFileException {
        if (Arrays.stream(args).noneMatch(a -> a.equals(OPTION) || a.startsWith(OPTION + "="))) {
            return args;
        }
        ParseResult given = leaf(parseCollectingErrors(commandLines.get(), args));
        if (!given.hasMatchedOption(OPTION)) {
            return args; // --config on a command without it: picocli reports the unknown option
        }
        Path file = given.matchedOptionValue(OPTION, null);
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigFileException("cannot read config file " + name + ": " + Failures.describe(e));
        }
        JsonNode root = parse(name, text);
        Map<String, Integer> lines = TomlKeyLines.of(text);
        Map<String, OptionSpec> byKey = keys(given);
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(root.properties());
        entries.sort(Comparator.comparingInt(e -> lines.getOrDefault(e.getKey(), 0)));

        List<String> added = new ArrayList<>();
        Map<String, String> keyByOption = new HashMap<>(); // longest option name -> key
        Map<String, List<String>> valuesByKey = new HashMap<>(); // to keep them out of messages
        Map<ArgGroupSpec, String> exclusiveChoice = new HashMap<>();
        for (Map.Entry<String, JsonNode> entry : entries) {
            String key = entry.getKey();
            JsonNode value = entry.getValue();
            String at = name + ":" + lines.getOrDefault(key, 0) + ": ";
            if (value.isObject()) {
                throw new ConfigFileException(at + "[" + key + "]: tables are not supported; set options at the top"
                        + " level, e.g. listen = \":7000\"");
            }
            OptionSpec option = byKey.get(key);
            if (option == null) {
                throw new ConfigFileException(at + unknownKey(key, byKey));
            }
            if (setOnCommandLine(given, option)) {
                continue;
            }
            ArgGroupSpec group = option.group();
            if (group != null && group.exclusive()) {
                String other = exclusiveChoice.putIfAbsent(group, key);
                if (other != null) {
                    throw new ConfigFileException(at + "\"" + key + "\" and \"" + other + "\" (line "
                            + lines.getOrDefault(other, 0) + ") cannot both be set");
                }
            }
            keyByOption.put(option.longestName(), key);
            List<String> values;
            try {
                values = ConfigValues.arguments(key, value, option);
            } catch (ConfigFileException e) {
                throw new ConfigFileException(at + e.getMessage());
            }
            valuesByKey.put(key, values);
            added.addAll(values.stream()
                    .map(v -> v == null ? option.longestName() : option.longestName() + "=" + v).toList());
        }
        checkValues(commandLines.get(), given, added, keyByOption, valuesByKey, name, lines);
        return withAdded(args, added);
    }

    /**
     * The settings' own conversion errors, found by parsing them alone, reported at their line;
     * the converter's message with the file's value (quoted there) replaced by {@code '...'} (a value may be a
     * secret typed under the wrong key).
     */
    private static void checkValues(CommandLine probe, ParseResult given, List<String> added,
            Map<String, String> keyByOption, Map<String, List<String>> valuesByKey, String name,
            Map<String, Integer> lines) throws ConfigFileException {
        List<String> args = new ArrayList<>();
        for (CommandSpec c = given.commandSpec(); c.parent() != null; c = c.parent()) {
            args.add(0, c.name());
        }
        args.addAll(added);
        for (ParseResult pr = parseCollectingErrors(probe, args.toArray(String[]::new)); pr != null;
                pr = pr.subcommand()) {
            for (Exception e : pr.errors()) {
                if (e instanceof ParameterException pe && !(e instanceof CommandLine.MissingParameterException)
                        && pe.getArgSpec() instanceof OptionSpec o && keyByOption.containsKey(o.longestName())) {
                    String key = keyByOption.get(o.longestName());
                    String message = pe.getMessage().strip();
                    for (String v : valuesByKey.getOrDefault(key, List.of())) {
                        if (v != null && !v.isEmpty()) {
                            message = message.replace("'" + v + "'", "'...'"); // converters quote it so
                        }
                    }
                    throw new ConfigFileException(name + ":" + lines.getOrDefault(key, 0) + ": \"" + key + "\": "
                            + message);
                }
            }
        }
    }

    private static JsonNode parse(String name, String text) throws ConfigFileException {
        try {
            JsonNode root = new TomlMapper().readTree(text);
            return root == null ? new TomlMapper().createObjectNode() : root;
        } catch (TomlStreamReadException e) {
            String duplicate = TomlKeyLines.firstDuplicate(text);
            if (duplicate != null && String.valueOf(e.getOriginalMessage()).startsWith("Duplicate key")) {
                throw new ConfigFileException(name + ":" + duplicate);
            }
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ConfigFileException(name + ":" + line + ": invalid TOML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigFileException(name + ": invalid TOML: " + Failures.describe(e));
        }
    }

    /** The keys a command takes: every {@code --long} name of its options but help, version and --config. */
    private static Map<String, OptionSpec> keys(ParseResult command) {
        Map<String, OptionSpec> keys = new LinkedHashMap<>();
        for (OptionSpec o : command.commandSpec().options()) {
            if (o.usageHelp() || o.versionHelp() || Arrays.asList(o.names()).contains(OPTION)) {
                continue;
            }
            for (String n : o.names()) {
                if (n.startsWith("--")) {
                    keys.put(n.substring(2), o);
                }
            }
        }
        return keys;
    }

    /** Whether the command line set {@code option}, or another member of its exclusive group. */
    private static boolean setOnCommandLine(ParseResult given, OptionSpec option) {
        if (given.hasMatchedOption(option)) {
            return true;
        }
        ArgGroupSpec group = option.group();
        return group != null && group.exclusive() && group.options().stream().anyMatch(given::hasMatchedOption);
    }

    private static String unknownKey(String key, Map<String, OptionSpec> keys) {
        if (key.equals("token")) {
            return "unknown key \"token\": secrets stay in files of their own; use token-file = \"PATH\"";
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Map.Entry<String, OptionSpec> e : keys.entrySet()) {
            if (e.getValue().hidden()) {
                continue;
            }
            String candidate = e.getKey();
            int d = distance(key, candidate);
            if (key.length() >= 4 && candidate.length() > key.length()) {
                // A misspelt start of a longer key ("drainn" for "drain-timeout").
                d = Math.min(d, distance(key, candidate.substring(0, key.length())) + 1);
            }
            if (d < bestDistance) {
                best = e.getKey();
                bestDistance = d;
            }
        }
        boolean close = best != null && bestDistance <= 2;
        return "unknown key \"" + key + "\"" + (close ? " (did you mean \"" + best + "\"?)" : "");
    }

    /** Edit distance with adjacent transpositions (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static ParseResult parseCollectingErrors(CommandLine cl, String[] args) {
        collectErrors(cl);
        return cl.parseArgs(args);
    }

    private static void collectErrors(CommandLine cl) {
        cl.getCommandSpec().parser().collectErrors(true);
        for (CommandLine sub : cl.getSubcommands().values()) {
            collectErrors(sub);
        }
    }

    private static ParseResult leaf(ParseResult pr) {
        while (pr.subcommand() != null) {
            pr = pr.subcommand();
        }
        return pr;
    }

    /** {@code args} with {@code added} at the end, or before a {@code --} that ends the options. */
    private static String[] withAdded(String[] args, List<String> added) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        int end = all.indexOf("--");
        all.addAll(end < 0 ? all.size() : end, added);
        return all.toArray(String[]::new);
    }
}

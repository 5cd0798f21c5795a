package io.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The type rules of {@link ConfigFile}: which TOML value an option takes, derived from the
 * option's picocli model (arity, type, converters), and the option values it stands for.
 * Stateless; any thread.
 *
 * <ul>
 *   <li>a flag (arity 0): a boolean; {@code true} sets it, {@code false} leaves it unset; a
 *       repeatable flag ({@code verbose}) also takes a count;</li>
 *   <li>a repeatable option: an array of values (or one value);</li>
 *   <li>a number without a converter of its own: an integer (a float for floating types);</li>
 *   <li>a number with a converter of its own (sizes): an integer or a string ({@code "1MiB"});</li>
 *   <li>a duration: a string ({@code "10s"}), never a bare number (which unit?);</li>
 *   <li>anything else: a string.</li>
 * </ul>
 */
final class ConfigValues {

    private static final Set<Class<?>> INTEGERS = Set.of(int.class, Integer.class, long.class, Long.class,
            short.class, Short.class, byte.class, Byte.class);
    private static final Set<Class<?>> FLOATS = Set.of(double.class, Double.class, float.class, Float.class);

    private ConfigValues() {}

    /**
     * The values {@code value} gives {@code option}, one per occurrence on a command line;
     * {@code null} stands for a flag without a value.
     *
     * @throws ConfigFile.ConfigFileException (without a location) when the type does not fit
     */
    static List<String> arguments(String key, JsonNode value, OptionSpec option) throws ConfigFile.ConfigFileException {
        if (option.arity().max() == 0) {
            if (value.isBoolean()) {
                return value.booleanValue() ? Collections.singletonList(null) : List.of();
            }
            if (option.isMultiValue() && value.canConvertToInt() && value.isIntegralNumber() && value.intValue() >= 0) {
                return Collections.nCopies(value.intValue(), null);
            }
            throw wrongType(key, "true or false" + (option.isMultiValue() ? " or a count" : ""), value);
        }
        Class<?> type = option.isMultiValue() && option.auxiliaryTypes().length > 0
                ? option.auxiliaryTypes()[0] : option.type();
        if (value.isArray()) {
            if (!option.isMultiValue()) {
                throw new ConfigFile.ConfigFileException("\"" + key + "\" takes one value, not an array");
            }
            List<String> values = new ArrayList<>();
            for (JsonNode element : value) {
                values.add(scalar(key, element, option, type, true));
            }
            return values;
        }
        return List.of(scalar(key, value, option, type, false));
    }

    private static String scalar(String key, JsonNode value, OptionSpec option, Class<?> type, boolean inArray)
            throws ConfigFile.ConfigFileException {
        boolean converter = option.converters() != null && option.converters().length > 0;
        boolean integer = INTEGERS.contains(type);
        boolean floating = FLOATS.contains(type);
        if (value.isTextual() && (converter || !integer && !floating)) {
            return value.textValue();
        }
        if (value.isIntegralNumber() && (integer || floating)
                || value.isFloatingPointNumber() && floating
                || value.isBoolean() && (type == boolean.class || type == Boolean.class)) {
            return value.asText();
        }
        String label = option.paramLabel().replaceAll("[<>]", "");
        String what = integer && !converter ? "integer" : floating ? "number" : "string";
        String expected = inArray ? "an array of " + what + "s" : (what.equals("integer") ? "an " : "a ") + what;
        throw wrongType(key, expected + (what.equals("string") ? " (" + label + ")" : ""), value);
    }

    private static ConfigFile.ConfigFileException wrongType(String key, String expected, JsonNode value) {
        return new ConfigFile.ConfigFileException("\"" + key + "\" must be " + expected + ", not " + describe(value));
    }

    /** What a TOML value is, without its content (a value may be a secret typed in the wrong place). */
    private static String describe(JsonNode value) {
        if (value.isTextual()) {
            return "a string";
        }
        if (value.isIntegralNumber()) {
            return "an integer";
        }
        if (value.isNumber()) {
            return "a float";
        }
        if (value.isBoolean()) {
            return "a boolean";
        }
        if (value.isArray()) {
            return "an array";
        }
        if (value.isObject()) {
            return "a table";
        }
        return "a date or time";
    }
}

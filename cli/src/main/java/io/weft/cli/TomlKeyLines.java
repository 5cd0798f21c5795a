package io.weft.cli;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each top-level key of a TOML document is defined: its 1-based line number, for error
 * messages. Jackson's TOML parser builds the whole tree before it hands out tokens, so the
 * tokens carry no location ({@code JsonParser.currentTokenLocation()} is {@code NA}); this small
 * scanner finds the lines instead. It does not validate anything (Jackson already did): it
 * reads the key at the start of each line outside multi-line strings, and the first segment of
 * each table header ({@code [name]}, {@code [[name]]}, {@code [name.x]}). Keys inside a table
 * are not top-level and are not recorded. Stateless; any thread.
 */
final class TomlKeyLines {

    private TomlKeyLines() {}

    /** The line each top-level key (or table name) is first defined on, by key; 1-based. */
    static Map<String, Integer> of(String text) {
        return scan(text, null);
    }

    /**
     * The first top-level key defined twice, as {@code "KEY" at LINE (first set on line FIRST)}
     * text for a message, or {@code null}. (Jackson finds duplicates but names neither the key
     * nor, reliably, the line.)
     */
    static String firstDuplicate(String text) {
        String[] duplicate = new String[1];
        scan(text, duplicate);
        return duplicate[0];
    }

    private static Map<String, Integer> scan(String text, String[] duplicate) {
        Map<String, Integer> lines = new HashMap<>();
        String[] all = text.split("\r?\n", -1);
        String openDelimiter = null; // inside a multi-line string that this delimiter ends
        boolean inTable = false;
        for (int i = 0; i < all.length; i++) {
            String line = all[i];
            if (openDelimiter != null) {
                if (line.contains(openDelimiter)) {
                    openDelimiter = null;
                }
                continue;
            }
            String s = line.strip();
            if (s.startsWith("[")) {
                String name = firstKey(s.substring(s.startsWith("[[") ? 2 : 1).strip());
                if (name != null) {
                    lines.putIfAbsent(name, i + 1);
                }
                inTable = true;
                continue;
            }
            String key = firstKey(s);
            if (key == null) {
                continue;
            }
            int eq = s.indexOf('=');
            if (!inTable) {
                Integer first = lines.putIfAbsent(key, i + 1);
                String lhs = eq < 0 ? "" : s.substring(0, eq).strip();
                boolean plain = lhs.equals(key) || lhs.equals('"' + key + '"') || lhs.equals("'" + key + "'");
                if (first != null && plain && duplicate != null && duplicate[0] == null) {
                    duplicate[0] = (i + 1) + ": duplicate key \"" + key + "\" (first set on line " + first + ")";
                }
            }
            String value = eq < 0 ? "" : s.substring(eq + 1).strip();
            for (String delimiter : new String[] {"\"\"\"", "'''"}) {
                if (value.startsWith(delimiter) && !value.substring(3).contains(delimiter)) {
                    openDelimiter = delimiter;
                }
            }
        }
        return lines;
    }

    /**
     * The first key segment at the start of {@code s} (bare, "basic" or 'literal'), when a
     * {@code =}, a {@code .} or a {@code ]} follows it; otherwise {@code null}.
     */
    private static String firstKey(String s) {
        if (s.isEmpty()) {
            return null;
        }
        String key;
        int end;
        char c = s.charAt(0);
        if (c == '"' || c == '\'') {
            end = s.indexOf(c, 1);
            while (c == '"' && end > 0 && s.charAt(end - 1) == '\\') {
                end = s.indexOf(c, end + 1);
            }
            if (end < 0) {
                return null;
            }
            key = s.substring(1, end);
            end++;
        } else {
            end = 0;
            while (end < s.length() && isBareKeyChar(s.charAt(end))) {
                end++;
            }
            if (end == 0) {
                return null;
            }
            key = s.substring(0, end);
        }
        String rest = s.substring(end).stripLeading();
        return rest.startsWith("=") || rest.startsWith(".") || rest.startsWith("]") ? key : null;
    }

    private static boolean isBareKeyChar(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }
}

package io.weft.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * One {@code --forward [BIND:]PORT:HOST:HOSTPORT} (ssh {@code -L} syntax): listen on BIND:PORT;
 * each connection becomes a stream that asks the exit to connect to HOST:HOSTPORT. Without BIND
 * the listener is on 127.0.0.1, as ssh's; {@code *} or an empty BIND means every interface.
 * IPv6 addresses go in brackets. Immutable.
 *
 * @param listen where to listen
 * @param target what the exit connects to; the exit resolves a name
 */
record ForwardSpec(Address listen, Destination target) {

    /**
     * Parses the ssh {@code -L} form.
     *
     * @throws IllegalArgumentException with one line naming the text and the syntax
     */
    static ForwardSpec parse(String text) {
        List<String> parts = split(text.strip());
        if (parts.size() != 3 && parts.size() != 4) {
            throw bad(text, "expected [BIND:]PORT:HOST:HOSTPORT");
        }
        int i = parts.size() - 3;
        String bind = i == 0 ? "127.0.0.1" : parts.get(0);
        if (bind.equals("*")) {
            bind = "";
        }
        Address listen;
        try {
            listen = Address.parse(bind + ":" + parts.get(i));
        } catch (IllegalArgumentException e) {
            throw bad(text, e.getMessage().replaceFirst("^invalid address '[^']*': ", "listen address: "));
        }
        if (listen.isUnix()) {
            throw bad(text, "BIND must be a host or address (unix sockets are for --from)");
        }
        String host = unbracket(parts.get(i + 1));
        String why = Destination.hostProblem(host);
        if (why != null) {
            throw bad(text, why);
        }
        String port = parts.get(i + 2);
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)
                || Integer.parseInt(port) > 65535 || Integer.parseInt(port) == 0) {
            throw bad(text, "target port '" + port + "' is not a number from 1 to 65535");
        }
        return new ForwardSpec(listen, new Destination(host, Integer.parseInt(port)));
    }

    /** Splits at colons outside brackets. */
    private static List<String> split(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == ':' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("invalid --forward '" + text + "': " + why);
    }

    @Override
    public String toString() {
        return listen + " -> " + target;
    }

    /** picocli converter: a bad spec is a usage error in one line. */
    static final class Converter implements ITypeConverter<ForwardSpec> {
        @Override
        public ForwardSpec convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}

package io.weft.cli;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The destinations a dynamic exit ({@code --allow PATTERN}, repeatable) may connect to. Empty
 * refuses everything. Immutable; any thread.
 *
 * <p>A pattern is {@code HOST:PORTS}. PORTS is {@code *}, {@code N} or {@code N-M}. HOST is one of:
 * <ul>
 *   <li>{@code *}: any name and any address;
 *   <li>a name ({@code db}) or a suffix ({@code *.internal}: {@code a.internal}, {@code
 *       b.a.internal}, not {@code internal}), matched against the name the entry asked for,
 *       case-insensitive, ignoring a trailing dot. The exit then dials what that name resolves
 *       to: listing a name trusts its DNS;
 *   <li>an address or CIDR block ({@code 10.0.0.0/8}, {@code 127.0.0.1}, {@code [::1]}, {@code
 *       [fd00::]/8}; an IPv4-mapped one, {@code [::ffff:10.0.0.0]/104}, is its IPv4 block, as
 *       the requests {@code ::ffff:a.b.c.d} are IPv4 addresses), matched against the address actually dialled: an IP the entry asked for,
 *       or each address a requested name resolves to. The exit dials only the addresses that
 *       matched, so a name cannot be re-pointed (DNS rebinding) at an address outside the block.
 * </ul>
 */
final class AllowList {

    private final List<Rule> rules;

    AllowList(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Whether no pattern was given (everything is refused). */
    boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Whether a name pattern (or {@code *}) allows the requested {@code name} on {@code port}. */
    boolean permitsName(String name, int port) {
        String n = normalize(name);
        return rules.stream().anyMatch(r -> r.matchesName(n, port));
    }

    /** Whether an address pattern (or {@code *}) allows dialling {@code address} on {@code port}. */
    boolean permitsAddress(InetAddress address, int port) {
        return rules.stream().anyMatch(r -> r.matchesAddress(address, port));
    }

    /** Whether any address pattern covers {@code port}: only then is resolving a name not allowed by name worth it. */
    boolean hasAddressRulesFor(int port) {
        return rules.stream().anyMatch(r -> r.network != null && r.coversPort(port));
    }

    @Override
    public String toString() {
        return rules.isEmpty() ? "nothing" : String.join(", ", rules.stream().map(Rule::toString).toList());
    }

    private static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") && n.length() > 1 ? n.substring(0, n.length() - 1) : n;
    }

    /**
     * One pattern. Exactly one of {@code any}, {@code name}, {@code suffix} (with its leading dot)
     * or {@code network} (with {@code prefixBits}) says what HOST matches.
     */
    record Rule(String text, boolean any, String name, String suffix, byte[] network, int prefixBits,
            int portLow, int portHigh) {

        private static final Pattern NAME = Pattern.compile("[a-z0-9_-]+(\\.[a-z0-9_-]+)*");

        boolean coversPort(int port) {
            return port >= portLow && port <= portHigh;
        }

        boolean matchesName(String normalizedName, int port) {
            if (!coversPort(port)) {
                return false;
            }
            return any || normalizedName.equals(name) || (suffix != null && normalizedName.endsWith(suffix));
        }

        boolean matchesAddress(InetAddress address, int port) {
            if (!coversPort(port)) {
                return false;
            }
            if (any) {
                return true;
            }
            if (network == null) {
                return false;
            }
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefixBits; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((a[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return text;
        }

        /**
         * Parses {@code HOST:PORTS} as the class comment describes.
         *
         * @throws IllegalArgumentException with one line naming the pattern and what is wrong
         */
        static Rule parse(String text) {
            String s = text.strip();
            String host;
            String ports;
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                int colon = s.lastIndexOf(':');
                if (close < 0 || colon < close) {
                    throw bad(text, "expected [IPv6]:PORTS or [IPv6]/BITS:PORTS");
                }
                host = s.substring(1, close) + s.substring(close + 1, colon);
                ports = s.substring(colon + 1);
            } else {
                int colon = s.lastIndexOf(':');
                if (colon < 0) {
                    throw bad(text, "missing ':PORTS' (use :* for any port)");
                }
                host = s.substring(0, colon);
                ports = s.substring(colon + 1);
                if (host.contains(":")) {
                    throw bad(text, "IPv6 addresses need brackets, e.g. [::1]:22");
                }
            }
            int[] range = parsePorts(text, ports);
            if (host.equals("*")) {
                return new Rule(s, true, null, null, null, 0, range[0], range[1]);
            }
            int slash = host.indexOf('/');
            String addressText = slash < 0 ? host : host.substring(0, slash);
            InetAddress address = literal(addressText);
            if (address != null) {
                // ::ffff:a.b.c.d is the IPv4 address a.b.c.d to the JDK (and to the dial): its
                // prefix counts the 96 bits of ::ffff: in front.
                int mappedBits = addressText.contains(":") && address.getAddress().length == 4 ? 96 : 0;
                int max = mappedBits + address.getAddress().length * 8;
                int bits = max;
                if (slash >= 0) {
                    String b = host.substring(slash + 1);
                    if (b.isEmpty() || b.length() > 3 || !b.chars().allMatch(Character::isDigit)
                            || Integer.parseInt(b) > max) {
                        throw bad(text, "prefix length '" + b + "' is not a number from 0 to " + max);
                    }
                    bits = Integer.parseInt(b);
                    if (bits < mappedBits) {
                        throw bad(text, "an IPv4-mapped block needs a prefix of 96 to 128 (or write it as IPv4)");
                    }
                }
                bits -= mappedBits;
                return new Rule(s, false, null, null, address.getAddress(), bits, range[0], range[1]);
            }
            if (slash >= 0) {
                throw bad(text, "'" + addressText + "' is not an IP address, so it cannot take /BITS");
            }
            String lower = normalize(host);
            if (lower.startsWith("*.") && NAME.matcher(lower.substring(2)).matches()) {
                return new Rule(s, false, null, lower.substring(1), null, 0, range[0], range[1]);
            }
            if (!NAME.matcher(lower).matches()) {
                throw bad(text, "'" + host + "' is not *, a host name, *.suffix, an address or a CIDR block");
            }
            return new Rule(s, false, lower, null, null, 0, range[0], range[1]);
        }

        private static InetAddress literal(String text) {
            if (text.isEmpty() || Destination.hostProblem(text) != null) {
                return null;
            }
            return new Destination(text, 0).literal();
        }

        private static int[] parsePorts(String text, String ports) {
            if (ports.equals("*")) {
                return new int[] {0, 65535};
            }
            int dash = ports.indexOf('-');
            int low = port(text, dash < 0 ? ports : ports.substring(0, dash));
            int high = dash < 0 ? low : port(text, ports.substring(dash + 1));
            if (high < low) {
                throw bad(text, "port range " + ports + " is empty");
            }
            return new int[] {low, high};
        }

        private static int port(String text, String p) {
            if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 65535) {
                throw bad(text, "port '" + p + "' is not *, a number from 0 to 65535, or N-M");
            }
            return Integer.parseInt(p);
        }

        private static IllegalArgumentException bad(String text, String why) {
            return new IllegalArgumentException("invalid --allow pattern '" + text + "': " + why);
        }
    }

    /** picocli converter for {@code --allow}: a bad pattern is a usage error in one line. */
    static final class RuleConverter implements ITypeConverter<Rule> {
        @Override
        public Rule convert(String value) {
            try {
                return Rule.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}

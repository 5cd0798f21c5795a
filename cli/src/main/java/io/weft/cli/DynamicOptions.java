package io.weft.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code weft tunnel}'s dynamic forwarding options: the entry's {@code --forward} (repeatable)
 * and {@code --socks}, the exit's {@code --allow} (repeatable). Streams of these carry a {@link
 * Preamble}; {@code --from}/{@code --to} streams do not, so the two kinds do not mix on one side.
 * Filled in by picocli on the main thread, then read-only.
 */
@Command(addMethodSubcommands = false) // a mixin: no method scan for subcommands (start-up time)
final class DynamicOptions {

    @Option(names = "--forward", paramLabel = "[BIND:]PORT:HOST:HOSTPORT", converter = ForwardSpec.Converter.class,
            description = "Entry (repeatable, like ssh -L): listen on BIND:PORT (BIND defaults to 127.0.0.1; * for"
                    + " all interfaces); each connection asks the exit (--allow) to connect to HOST:HOSTPORT.")
    List<ForwardSpec> forwards = new ArrayList<>();

    @Option(names = "--socks", paramLabel = "[BIND:]PORT", converter = SocksAddressConverter.class,
            description = "Entry: a SOCKS5 server (CONNECT; like ssh -D) on BIND:PORT (BIND defaults to"
                    + " 127.0.0.1); the exit (--allow) connects each request.")
    Address socks;

    @Option(names = "--socks-users", paramLabel = "FILE",
            description = "With --socks: require username/password authentication; FILE has USER:PASSWORD lines.")
    Path socksUsers;

    @Option(names = "--allow", paramLabel = "PATTERN", converter = AllowList.RuleConverter.class,
            description = "Exit (repeatable): connect streams from --forward/--socks entries to destinations"
                    + " matching HOST:PORTS (HOST: *, name, *.suffix, IP or CIDR; PORTS: *, N or N-M);"
                    + " everything else is refused.")
    List<AllowList.Rule> allow = new ArrayList<>();

    /** Whether this side is a dynamic entry. */
    boolean isEntry() {
        return !forwards.isEmpty() || socks != null;
    }

    /** Whether this side is a dynamic exit. */
    boolean isExit() {
        return !allow.isEmpty();
    }

    /**
     * Checks the role flags together, given the plain ones: exactly one role, of one kind.
     *
     * @throws IllegalArgumentException a one-line usage error naming the flags to change
     */
    void validate(Address from, Address to) {
        boolean plainEntry = from != null;
        boolean plainExit = to != null;
        if (socksUsers != null && socks == null) {
            throw new IllegalArgumentException("--socks-users needs --socks");
        }
        if (plainExit && isExit()) {
            throw new IllegalArgumentException("--to and --allow cannot be combined: --to ADDR sends every stream"
                    + " to one address (for --from entries), --allow lets --forward/--socks entries name theirs");
        }
        if (plainEntry && isEntry()) {
            throw new IllegalArgumentException("--from cannot be combined with --forward or --socks: --from opens"
                    + " plain streams for a --to exit, --forward/--socks name a destination for an --allow exit;"
                    + " use --forward PORT:HOST:HOSTPORT instead of --from");
        }
        if ((plainEntry || isEntry()) && (plainExit || isExit())) {
            throw new IllegalArgumentException("a tunnel side is either the entry (--from, --forward, --socks)"
                    + " or the exit (--to, --allow), not both");
        }
        if (!plainEntry && !plainExit && !isEntry() && !isExit()) {
            throw new IllegalArgumentException("a role is needed: the entry (--from ADDR, or --forward"
                    + " and --socks) or the exit (--to ADDR, or --allow PATTERN)");
        }
    }

    /** The SOCKS server for {@code --socks}, reading {@code --socks-users}. */
    SocksServer socksServer() throws IOException {
        return new SocksServer(socksUsers == null ? null : SocksUsers.read(socksUsers));
    }

    /** The allow-list from {@code --allow}. */
    AllowList allowList() {
        return new AllowList(allow);
    }

    /** {@code --socks [BIND:]PORT}: a bare port listens on 127.0.0.1, as ssh -D does; {@code *:PORT} on all interfaces. */
    static final class SocksAddressConverter implements ITypeConverter<Address> {
        @Override
        public Address convert(String value) {
            String s = value.strip();
            if (s.chars().allMatch(Character::isDigit)) {
                s = "127.0.0.1:" + s;
            } else if (s.startsWith("*:")) {
                s = s.substring(1);
            }
            try {
                return Address.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}

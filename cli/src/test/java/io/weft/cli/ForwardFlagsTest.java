package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code weft tunnel}'s role flags together: each wrong combination is one usage line naming the flags. */
@Timeout(30)
class ForwardFlagsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--listen 127.0.0.1:0 --to 127.0.0.1:1 --allow *:*             | --to and --allow cannot be combined",
        "--connect 127.0.0.1:1 --from 127.0.0.1:0 --forward 0:db:1     | use --forward PORT:HOST:HOSTPORT instead of --from",
        "--connect 127.0.0.1:1 --from 127.0.0.1:0 --socks 0            | --from cannot be combined with --forward or --socks",
        "--connect 127.0.0.1:1 --forward 0:db:1 --allow *:*            | either the entry (--from, --forward, --socks) or the exit",
        "--connect 127.0.0.1:1 --to 127.0.0.1:1 --socks 0              | either the entry",
        "--connect 127.0.0.1:1 --from 127.0.0.1:0 --allow *:*          | either the entry",
        "--connect 127.0.0.1:1 --forward 0:db:1 --socks-users /x       | --socks-users needs --socks",
        "--connect 127.0.0.1:1                                         | a role is needed: the entry (--from ADDR",
        "--connect 127.0.0.1:1 --allow db                              | invalid --allow pattern 'db'",
        "--connect 127.0.0.1:1 --forward 8080:db                       | invalid --forward '8080:db'",
        "--connect 127.0.0.1:1 --socks 0 --socks-users /nonexistent/u  | --socks-users file /nonexistent/u does not exist"
    })
    void wrongCombinationsAreOneUsageLine(String args, String expected) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] argv = ("tunnel " + args.strip()).split(" +");
        assertThat(cl.execute(argv)).as(err.toString()).isEqualTo(Failures.USAGE);
        assertThat(err.toString().lines()).as(err.toString()).hasSize(1);
        assertThat(err.toString()).startsWith("weft tunnel: ").contains(expected);
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The systemd unit and the config file that docs/cli.md ships ("Running as a service"), taken
 * from the document itself: {@code systemd-analyze verify} must accept the unit without a word
 * (it needs no running systemd; without the tool the test is skipped, and fails with
 * {@code WEFT_REQUIRE_GO=1}, as CI sets, which installs package {@code systemd}); its keys are
 * the ones the docs explain; its stop timeout outlasts the config's drain timeout; and the
 * config parses against the real {@code weft tunnel}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SystemdUnitTest {

    private static final Path DOC = Path.of("..").toAbsolutePath().normalize().resolve("docs/cli.md");
    private static final String UNIT_MARK = "# /etc/systemd/system/weft-tunnel.service";
    private static final String CONFIG_MARK = "# /etc/weft/tunnel.toml";
    private static final String PROGRAM = "/opt/weft/bin/weft";

    @TempDir
    Path dir;

    /** The fenced block whose first line starts with {@code mark}, without the fences. */
    private static String block(String mark) throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int start = doc.indexOf("\n" + mark);
        assertThat(start).as("a block starting with %s in %s", mark, DOC).isPositive();
        int end = doc.indexOf("\n```", start);
        return doc.substring(start + 1, end + 1);
    }

    /** Sections to key=value lines, comments dropped; repeated keys kept in order. */
    private static Map<String, List<String[]>> sections(String unit) {
        Map<String, List<String[]>> sections = new LinkedHashMap<>();
        List<String[]> current = null;
        for (String line : unit.split("\n")) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#") || s.startsWith(";")) {
                continue;
            }
            if (s.startsWith("[") && s.endsWith("]")) {
                current = new ArrayList<>();
                assertThat(sections.put(s.substring(1, s.length() - 1), current)).as("section %s twice", s).isNull();
                continue;
            }
            assertThat(current).as("a key before any section: %s", s).isNotNull();
            int eq = s.indexOf('=');
            assertThat(eq).as("not key=value: %s", s).isPositive();
            current.add(new String[] {s.substring(0, eq), s.substring(eq + 1)});
        }
        return sections;
    }

    @Test
    void theUnitPassesSystemdAnalyzeVerify() throws Exception {
        Path tool = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(tool)) {
            String message = "systemd-analyze not installed (Debian package systemd)";
            if ("1".equals(System.getenv("WEFT_REQUIRE_GO"))) {
                throw new AssertionError(message + "; WEFT_REQUIRE_GO=1 requires it");
            }
            Assumptions.abort(message + " — test skipped; set WEFT_REQUIRE_GO=1 to make this fail");
        }
        // verify checks that ExecStart's program exists: point it at a stand-in.
        Path program = Files.createFile(dir.resolve("weft"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.writeString(program, "#!/bin/sh\n");
        String unit = block(UNIT_MARK);
        assertThat(unit).contains("ExecStart=" + PROGRAM + " ");
        Path file = dir.resolve("weft-tunnel.service");
        Files.writeString(file, unit.replace(PROGRAM, program.toString()));

        Process verify = new ProcessBuilder(tool.toString(), "verify", "--man=no", file.toString())
                .redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(verify.waitFor(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(output).as("systemd-analyze verify output (unknown keys and bad values are warnings)").isEmpty();
        assertThat(verify.exitValue()).isZero();
    }

    @Test
    void theUnitHasTheDocumentedShapeAndOutlastsTheDrain() throws Exception {
        Map<String, List<String[]>> sections = sections(block(UNIT_MARK));
        assertThat(sections).containsOnlyKeys("Unit", "Service", "Install");
        Map<String, String> service = new LinkedHashMap<>();
        for (String[] kv : sections.get("Service")) {
            service.merge(kv[0], kv[1], (a, b) -> a + "\n" + b);
        }
        assertThat(service).containsEntry("Type", "exec").containsEntry("KillSignal", "SIGTERM")
                .containsEntry("DynamicUser", "yes").containsEntry("ProtectSystem", "strict")
                .containsEntry("ExecStart", PROGRAM + " tunnel --config /etc/weft/tunnel.toml")
                .containsEntry("SuccessExitStatus", "143"); // SIGTERM before the handlers: the JVM's 143
        assertThat(service).doesNotContainKey("MemoryDenyWriteExecute"); // the JIT writes code
        assertThat(service.keySet()).isSubsetOf(Set.of("Type", "ExecStart", "KillSignal", "TimeoutStopSec",
                "SuccessExitStatus", "Restart", "RestartSec", "RestartPreventExitStatus", "LoadCredential",
                "DynamicUser", "ProtectSystem",
                "ProtectHome", "PrivateTmp", "PrivateDevices", "NoNewPrivileges", "ProtectKernelTunables",
                "ProtectKernelModules", "ProtectControlGroups", "RestrictSUIDSGID", "LockPersonality",
                "CapabilityBoundingSet"));
        assertThat(service.get("RestartPreventExitStatus").split(" "))
                .containsExactlyInAnyOrder(String.valueOf(Failures.USAGE), String.valueOf(Failures.AUTH));

        // The config's drain must end before systemd gives up and sends SIGKILL.
        Duration stop = GoDuration.parse(service.get("TimeoutStopSec"));
        TunnelCommand tunnel = parsedConfig();
        assertThat(stop).isGreaterThan(tunnel.drainOption.timeout().plusSeconds(5));

        // The credentials the unit loads are the files the config names.
        for (String credential : service.get("LoadCredential").split("\n")) {
            String name = credential.substring(0, credential.indexOf(':'));
            assertThat(block(CONFIG_MARK)).contains("/run/credentials/weft-tunnel.service/" + name);
        }
    }

    @Test
    void theDocumentedConfigParsesAgainstTheRealTunnelCommand() throws Exception {
        TunnelCommand tunnel = parsedConfig();
        assertThat(tunnel.transport.listen).hasToString(":7000");
        assertThat(tunnel.role.to).hasToString("localhost:8080");
        assertThat(tunnel.tokenOption.tokenFile).hasToString("/run/credentials/weft-tunnel.service/token");
        assertThat(tunnel.drainOption.timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    private TunnelCommand parsedConfig() throws IOException {
        Path config = dir.resolve("tunnel.toml");
        Files.writeString(config, block(CONFIG_MARK));
        String[] args = ConfigFile.expand(Main::commandLine, new String[] {"tunnel", "--config", config.toString()});
        CommandLine cl = Main.commandLine();
        cl.parseArgs(args);
        return cl.getSubcommands().get("tunnel").getCommand();
    }
}

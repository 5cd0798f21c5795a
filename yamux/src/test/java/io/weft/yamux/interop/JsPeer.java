package io.weft.yamux.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Weft's JavaScript test peer ({@code yamux/src/test/js/peer.mjs}: {@code @chainsafe/libp2p-yamux}
 * over a plain TCP socket) run as a {@code node} subprocess, with {@link GoPeer}'s process handling.
 *
 * <p>The library is pinned by {@code package.json} and {@code package-lock.json} beside the script
 * and installed into that directory's {@code node_modules} (CI's {@code .ci/run} does it; when it
 * is missing the first use runs {@code npm ci} there). When {@code node}, {@code npm} or the install
 * is missing the calling test is skipped, or fails when {@code WEFT_REQUIRE_GO=1} (set by CI).
 * Modes and flags are documented in the script's header.
 *
 * <p>Threads: any; the install runs once per JVM under a lock.
 */
final class JsPeer {

    private static final String SCRIPT = "yamux/src/test/js/peer.mjs";
    private static final String LIBRARY = "node_modules/@chainsafe/libp2p-yamux/package.json";
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(3);

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static Path script; // guarded by LOCK
    private static String unavailableReason; // guarded by LOCK

    private JsPeer() {
    }

    /** Starts {@code node peer.mjs MODE ARGS...}; for client modes. */
    static GoPeer start(String mode, String... args) throws IOException {
        return GoPeer.exec("JS peer", command(mode, args), false);
    }

    /** Starts a server mode on {@code 127.0.0.1:0} and waits for its {@code listening} line. */
    static GoPeer startServer(String mode, String... args) throws IOException {
        return GoPeer.exec("JS peer", command(mode, args), true);
    }

    private static List<String> command(String mode, String... args) {
        Path peer = script();
        List<String> command = new ArrayList<>(List.of(node().toString(), peer.toString(), mode));
        command.addAll(List.of(args));
        return command;
    }

    private static Path script() {
        LOCK.lock();
        try {
            if (script == null && unavailableReason == null) {
                try {
                    script = install();
                } catch (Unavailable e) {
                    unavailableReason = e.getMessage();
                } catch (IOException e) {
                    throw new UncheckedIOException("installing the JS peer failed", e);
                }
            }
            if (script == null) {
                GoPeer.unavailable("JS interop peer unavailable: " + unavailableReason,
                        "nodejs and npm, then run `npm ci` in yamux/src/test/js");
            }
            return script;
        } finally {
            LOCK.unlock();
        }
    }

    private static Path install() throws IOException, Unavailable {
        Path peer = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && peer == null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(SCRIPT))) {
                peer = dir.resolve(SCRIPT);
            }
        }
        if (peer == null) {
            throw new Unavailable("cannot find " + SCRIPT + " above " + Path.of("").toAbsolutePath());
        }
        if (node() == null) {
            throw new Unavailable("no `node` executable on PATH");
        }
        Path dir = peer.getParent();
        if (Files.isRegularFile(dir.resolve(LIBRARY))) {
            return peer;
        }
        Path npm = onPath("npm");
        if (npm == null) {
            throw new Unavailable("@chainsafe/libp2p-yamux is not installed in " + dir + " and there is no `npm`");
        }
        Process process = new ProcessBuilder(npm.toString(), "ci", "--no-audit", "--no-fund").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("npm ci did not finish within " + INSTALL_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during npm ci", e);
        }
        if (process.exitValue() != 0 || !Files.isRegularFile(dir.resolve(LIBRARY))) {
            throw new IOException("npm ci in " + dir + " failed:\n" + output);
        }
        return peer;
    }

    private static Path node() {
        return onPath("node");
    }

    private static Path onPath(String name) {
        String path = System.getenv("PATH");
        List<Path> candidates = new ArrayList<>();
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, name));
                }
            }
        }
        candidates.add(Path.of("/usr/bin", name));
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }

    private static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }
}

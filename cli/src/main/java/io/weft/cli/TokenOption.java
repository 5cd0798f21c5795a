package io.weft.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code --token-file}: the shared token of {@link TokenAuth}, on every command that makes or
 * accepts yamux connections. A picocli mixin, filled in on the main thread.
 */
@Command(addMethodSubcommands = false) // a mixin: no method scan for subcommands (start-up time)
final class TokenOption {

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Both ends: a shared secret (the file's content, trailing newline removed) the client must"
                    + " prove it knows before yamux starts; never sent itself (HMAC-SHA256 of a fresh nonce).")
    Path tokenFile;

    /** The token, or {@code null} without {@code --token-file}; an unusable file is a usage error. */
    Token read() throws IOException {
        return tokenFile == null ? null : Token.read(tokenFile);
    }
}

package io.weft.cli;

import java.io.IOException;

/**
 * The peer accepted the connection but does not speak yamux: its first bytes were no yamux frame
 * ({@code peer at 127.0.0.1:8080 does not speak yamux (it sent "HTTP/1.1 400 ...")}) or no reply
 * to a ping came within the handshake timeout. Exit code 3, like a yamux protocol error; a
 * {@code --connect} side counts it as a failed attempt and retries (the right server may come up).
 */
final class NotYamuxException extends IOException {
    private static final long serialVersionUID = 1L;

    NotYamuxException(String message, Throwable cause) {
        super(message, cause);
    }
}

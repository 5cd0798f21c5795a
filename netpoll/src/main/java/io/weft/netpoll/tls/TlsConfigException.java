package io.weft.netpoll.tls;

import java.io.IOException;

/**
 * A key, certificate or trust setting cannot be used: a file is unreadable or malformed, a
 * private key does not match its certificate, a PEM block is of the wrong kind. The message is one
 * line that names the file, says what is wrong and, where there is one, how to fix it, e.g.
 * {@code "tls: /etc/weft/key.pem: not a PKCS#8 private key (BEGIN RSA PRIVATE KEY); convert it
 * with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key8.pem"}.
 */
public class TlsConfigException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its whole message. */
    public TlsConfigException(String message) {
        super(message);
    }

    /** Creates the exception with its whole message and the exception that caused it (may be null). */
    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}

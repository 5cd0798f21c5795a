package io.weft.netpoll.tls;

import java.io.IOException;

/** TEMPORARY compile stub (cli-tls branch); reverted before merging certs. */
public class TlsConfigException extends IOException {
    private static final long serialVersionUID = 1L;
    /** Stub. */
    public TlsConfigException(String message) { super(message); }
}

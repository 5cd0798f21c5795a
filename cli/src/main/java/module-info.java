/** The {@code weft} command. */
module io.weft.cli {
    requires io.weft.netpoll;
    requires io.weft.yamux;
    requires java.logging;
    requires info.picocli;
    requires com.fasterxml.jackson.dataformat.toml;
    requires com.fasterxml.jackson.databind;
    requires jdk.unsupported; // sun.misc.Signal: SIGINT and SIGTERM handled apart (Shutdown)
    requires io.prometheus.metrics.exporter.httpserver;
    requires io.prometheus.metrics.model;
    requires jdk.httpserver;
    opens io.weft.cli to info.picocli;
}

/** The {@code weft} command. */
module io.weft.cli {
    requires io.weft.netpoll;
    requires io.weft.yamux;
    requires java.logging;
    requires info.picocli;
    requires io.prometheus.metrics.exporter.httpserver;
    requires io.prometheus.metrics.model;
    requires jdk.httpserver;
    opens io.weft.cli to info.picocli;
}

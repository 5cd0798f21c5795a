/** The {@code weft} command. */
module io.weft.cli {
    requires io.weft.netpoll;
    requires io.weft.yamux;
    requires java.logging;
    requires info.picocli;
    opens io.weft.cli to info.picocli;
}

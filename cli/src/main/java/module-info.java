/** The {@code weft} command. */
module io.weft.cli {
    requires io.weft.netpoll;
    requires info.picocli;
    opens io.weft.cli to info.picocli;
}

package io.weft.cli;

import java.nio.charset.StandardCharsets;

/** Text from a peer made safe for one log line: printable ASCII kept, anything else as {@code \xNN}. Stateless. */
final class Printable {

    private Printable() {}

    /** {@code text} with non-printable characters escaped. */
    static String of(String text) {
        return of(text.getBytes(StandardCharsets.ISO_8859_1), 0, Math.min(text.length(), 300));
    }

    /** Bytes {@code [from, to)} of {@code bytes} as printable ASCII, others as {@code \xNN}. */
    static String of(byte[] bytes, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            int b = bytes[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '\\') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.toString();
    }
}

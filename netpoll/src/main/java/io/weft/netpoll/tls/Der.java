package io.weft.netpoll.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The little of ASN.1 DER that {@link GeneratedCertificate} writes and {@link Pem} reads: each
 * method returns one whole encoded element (tag, length, contents). Stateless; any thread.
 */
final class Der {
    static final int BOOLEAN = 0x01;
    static final int INTEGER = 0x02;
    static final int BIT_STRING = 0x03;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int UTF8_STRING = 0x0c;
    static final int UTC_TIME = 0x17;
    static final int GENERALIZED_TIME = 0x18;
    static final int SEQUENCE = 0x30;
    static final int SET = 0x31;

    private static final DateTimeFormatter UTC_TIME_FORMAT =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME_FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Instant UTC_TIME_END = Instant.parse("2050-01-01T00:00:00Z");

    private Der() {}

    /** An element with {@code tag} around {@code contents}. */
    static byte[] tlv(int tag, byte[] contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(contents.length + 6);
        out.write(tag);
        int n = contents.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(contents);
        return out.toByteArray();
    }

    /** The concatenation of already encoded elements. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] sequence(byte[]... elements) {
        return tlv(SEQUENCE, concat(elements));
    }

    static byte[] set(byte[]... elements) {
        return tlv(SET, concat(elements));
    }

    static byte[] integer(BigInteger value) {
        return tlv(INTEGER, value.toByteArray());
    }

    static byte[] bool(boolean value) {
        return tlv(BOOLEAN, new byte[] {(byte) (value ? 0xff : 0)});
    }

    static byte[] nullValue() {
        return tlv(NULL, new byte[0]);
    }

    static byte[] octetString(byte[] value) {
        return tlv(OCTET_STRING, value);
    }

    static byte[] utf8String(String value) {
        return tlv(UTF8_STRING, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A BIT STRING holding whole bytes (a key or a signature). */
    static byte[] bitString(byte[] bytes) {
        return bitString(bytes, 0);
    }

    /** A BIT STRING whose last {@code unusedBits} bits are padding. */
    static byte[] bitString(byte[] bytes, int unusedBits) {
        byte[] contents = new byte[bytes.length + 1];
        contents[0] = (byte) unusedBits;
        System.arraycopy(bytes, 0, contents, 1, bytes.length);
        return tlv(BIT_STRING, contents);
    }

    /** UTCTime before 2050 and GeneralizedTime from then on, to the second, as RFC 5280 asks. */
    static byte[] time(Instant t) {
        return t.isBefore(UTC_TIME_END)
                ? tlv(UTC_TIME, UTC_TIME_FORMAT.format(t).getBytes(StandardCharsets.US_ASCII))
                : tlv(GENERALIZED_TIME, GENERALIZED_TIME_FORMAT.format(t).getBytes(StandardCharsets.US_ASCII));
    }

    /** A context-specific constructed element, {@code [tag] EXPLICIT}. */
    static byte[] explicit(int tag, byte[] element) {
        return tlv(0xa0 | tag, element);
    }

    /** An OBJECT IDENTIFIER from its dotted form, e.g. {@code "2.5.4.3"}. */
    static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeArc(out, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            writeArc(out, Long.parseLong(arcs[i]));
        }
        return tlv(OID, out.toByteArray());
    }

    private static void writeArc(ByteArrayOutputStream out, long arc) {
        int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(arc) + 6) / 7);
        for (int i = groups - 1; i >= 0; i--) {
            int b = (int) ((arc >>> (7 * i)) & 0x7f);
            out.write(i == 0 ? b : b | 0x80);
        }
    }

    /** The dotted form of an OBJECT IDENTIFIER's contents. */
    static String oidString(byte[] contents) {
        StringBuilder sb = new StringBuilder();
        long arc = 0;
        boolean first = true;
        for (byte b : contents) {
            arc = (arc << 7) | (b & 0x7f);
            if ((b & 0x80) == 0) {
                if (first) {
                    long top = Math.min(arc / 40, 2);
                    sb.append(top).append('.').append(arc - top * 40);
                    first = false;
                } else {
                    sb.append('.').append(arc);
                }
                arc = 0;
            }
        }
        return sb.toString();
    }

    /** One decoded element: its tag and contents. */
    record Element(int tag, byte[] contents) {
        /** The elements inside this constructed one. */
        List<Element> children() {
            List<Element> out = new ArrayList<>();
            int[] pos = {0};
            while (pos[0] < contents.length) {
                out.add(read(contents, pos));
            }
            return out;
        }
    }

    /** Decodes the single element that is all of {@code der}. */
    static Element parse(byte[] der) {
        int[] pos = {0};
        Element e = read(der, pos);
        if (pos[0] != der.length) {
            throw new IllegalArgumentException("trailing bytes after the DER element");
        }
        return e;
    }

    private static Element read(byte[] in, int[] pos) {
        int p = pos[0];
        if (in.length - p < 2) {
            throw new IllegalArgumentException("truncated DER element");
        }
        int tag = in[p++] & 0xff;
        if ((tag & 0x1f) == 0x1f) {
            throw new IllegalArgumentException("multi-byte DER tags are not supported");
        }
        int len = in[p++] & 0xff;
        if (len >= 0x80) {
            int bytes = len & 0x7f;
            if (bytes == 0 || bytes > 3 || in.length - p < bytes) {
                throw new IllegalArgumentException("bad DER length");
            }
            len = 0;
            for (int i = 0; i < bytes; i++) {
                len = (len << 8) | (in[p++] & 0xff);
            }
        }
        if (len > in.length - p) {
            throw new IllegalArgumentException("truncated DER element");
        }
        byte[] contents = new byte[len];
        System.arraycopy(in, p, contents, 0, len);
        pos[0] = p + len;
        return new Element(tag, contents);
    }
}

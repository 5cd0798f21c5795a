package io.weft.netpoll.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * The names of a {@link GeneratedCertificate}'s subjectAltName extension: DNS names (wildcards
 * allowed) and IPv4 or IPv6 literals, checked and DER-encoded without any name lookup. Stateless;
 * any thread.
 */
final class AltNames {
    private AltNames() {}

    /** A subjectAltName GeneralName: iPAddress [7] for an IP literal, else dNSName [2]. */
    static byte[] generalName(String name) {
        byte[] ip = ipLiteral(name);
        if (ip != null) {
            return Der.tlv(0x87, ip);
        }
        if (!name.matches("(\\*\\.)?[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*\\.?") || name.matches("[0-9.]+")) {
            throw new IllegalArgumentException("\"" + name + "\" is neither a DNS name nor an IP address");
        }
        return Der.tlv(0x82, name.getBytes(StandardCharsets.US_ASCII));
    }

    /** The address bytes of an IPv4 or IPv6 literal (brackets allowed), or null for anything else. */
    static byte[] ipLiteral(String name) {
        String s = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
        if (s.indexOf(':') >= 0) {
            if (!s.matches("[0-9A-Fa-f:.]+")) {
                throw new IllegalArgumentException("\"" + name + "\" is not an IPv6 address");
            }
            try {
                return InetAddress.getByName(s).getAddress(); // a literal: no lookup
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("\"" + name + "\" is not an IPv6 address", e);
            }
        }
        if (!s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            return null;
        }
        String[] parts = s.split("\\.");
        byte[] addr = new byte[4];
        for (int i = 0; i < 4; i++) {
            int octet = Integer.parseInt(parts[i]);
            if (octet > 255) {
                throw new IllegalArgumentException("\"" + name + "\" is not an IPv4 address");
            }
            addr[i] = (byte) octet;
        }
        return addr;
    }
}

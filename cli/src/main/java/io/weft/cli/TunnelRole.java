package io.weft.cli;

import java.util.EnumSet;
import java.util.Set;

/**
 * The part one end of a tunnel plays in the forwarding, independent of who dialed whom: an
 * <em>entry</em> accepts local connections and opens a stream for each ({@code --from}); an
 * <em>exit</em> accepts the peer's streams and connects each one onward ({@code --to}). One
 * process may be both (several forwards in both directions). Two ends that cannot serve each
 * other, two entries or two exits, are a configuration mistake that {@link PeerCheck} reports.
 *
 * <p>New kinds of forward map onto the two parts: a dynamic SOCKS forward or a local forward is
 * an entry ({@link #entry(String)} with its flag), a server that dials on the peer's request is
 * an exit. The flags are kept only to name them in messages.
 *
 * <p>On the wire the parts travel in the opaque value of one ping ({@link #announcement()}); see
 * {@link PeerCheck}. Immutable; any thread.
 */
final class TunnelRole {

    /** What one end does with streams; {@link #bit} is its bit in the announcement. */
    enum Part {
        /** Accepts local connections and opens a stream for each. */
        ENTRY(1),
        /** Accepts the peer's streams and connects each one onward. */
        EXIT(2);

        final int bit;

        Part(int bit) {
            this.bit = bit;
        }
    }

    /**
     * The high 24 bits of an announcement ({@code "WEF"}); the low 8 hold the part bits (bits 2-7
     * zero, for later use). hashicorp's pings count up from 0 and Weft's from 1, so no ping of
     * theirs reaches this value in any realistic session (1.4 billion pings).
     */
    static final int MAGIC = 0x574546;

    private final Set<Part> parts;
    private final String entryFlags;
    private final String exitFlags;

    private TunnelRole(Set<Part> parts, String entryFlags, String exitFlags) {
        this.parts = Set.copyOf(parts);
        this.entryFlags = entryFlags;
        this.exitFlags = exitFlags;
    }

    /** An entry made by {@code flag} (e.g. {@code "--from"}). */
    static TunnelRole entry(String flag) {
        return new TunnelRole(EnumSet.of(Part.ENTRY), flag, "");
    }

    /** An exit made by {@code flag} (e.g. {@code "--to"}). */
    static TunnelRole exit(String flag) {
        return new TunnelRole(EnumSet.of(Part.EXIT), "", flag);
    }

    /** This end doing what {@code other} does too (both parts when one is an entry and one an exit). */
    TunnelRole and(TunnelRole other) {
        EnumSet<Part> both = EnumSet.noneOf(Part.class);
        both.addAll(parts);
        both.addAll(other.parts);
        return new TunnelRole(both, join(entryFlags, other.entryFlags), join(exitFlags, other.exitFlags));
    }

    boolean isEntry() {
        return parts.contains(Part.ENTRY);
    }

    boolean isExit() {
        return parts.contains(Part.EXIT);
    }

    /** The ping opaque value that tells a Weft peer this end's parts: {@link #MAGIC} and the part bits. */
    int announcement() {
        int bits = 0;
        for (Part part : parts) {
            bits |= part.bit;
        }
        return MAGIC << 8 | bits;
    }

    /** The parts a peer announced with {@code opaque}, or {@code null} when it is no announcement. */
    static Set<Part> announced(int opaque) {
        if (opaque >>> 8 != MAGIC || (opaque & 0xFC) != 0 || (opaque & 0x03) == 0) {
            return null;
        }
        EnumSet<Part> peer = EnumSet.noneOf(Part.class);
        for (Part part : Part.values()) {
            if ((opaque & part.bit) != 0) {
                peer.add(part);
            }
        }
        return peer;
    }

    /**
     * What is wrong with this end working with a peer that plays {@code peer}, or {@code null}
     * when they fit: this end opens streams that the peer would never accept, the peer opens
     * streams this end would never accept, or neither end opens any. The text follows "peer at
     * ADDR " and names this end's flag to change, e.g. {@code "is an entry too (this end has
     * --from): neither end accepts streams; start one of them with --to instead of --from"}.
     */
    String conflictWith(Set<Part> peer) {
        if (isEntry() && isExit() && !peer.contains(Part.EXIT)) {
            return "accepts no streams, but this end opens them (" + entryFlags + "); add " + exitFor(entryFlags)
                    + " on that end";
        }
        if (isEntry() && !peer.contains(Part.EXIT)) {
            return "is an entry too (this end has " + entryFlags + "): neither end accepts streams;"
                    + " start one of them with " + exitFor(entryFlags) + " instead of " + entryFlags;
        }
        if (!isEntry() && !peer.contains(Part.ENTRY)) {
            return "is an exit too (this end has " + exitFlags + "): nothing enters the tunnel;"
                    + " start one of them with " + entryFor(exitFlags) + " instead of " + exitFlags;
        }
        if (peer.contains(Part.ENTRY) && !isExit()) {
            return "opens streams that this end (" + entryFlags + ") does not accept; add --to (or --allow) on this end";
        }
        return null;
    }

    @Override
    public String toString() {
        return isEntry() && isExit() ? "entry (" + entryFlags + ") and exit (" + exitFlags + ")"
                : isEntry() ? "entry (" + entryFlags + ")" : "exit (" + exitFlags + ")";
    }

    /** The exit flag that fits entries made by {@code entryFlags}: plain streams need --to, named ones --allow. */
    private static String exitFor(String entryFlags) {
        return entryFlags.contains("--from") ? "--to" : "--allow";
    }

    /** The entry flag that fits exits made by {@code exitFlags}: --to takes --from, --allow takes --forward or --socks. */
    private static String entryFor(String exitFlags) {
        return exitFlags.contains("--to") ? "--from" : "--forward (or --socks)";
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() || a.equals(b) ? a : a + ", " + b;
    }
}

package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.cli.TunnelRole.Part;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TunnelRoleTest {

    private static final TunnelRole FROM = TunnelRole.entry("--from");
    private static final TunnelRole TO = TunnelRole.exit("--to");

    @Test
    void theAnnouncementCarriesTheMagicAndThePartsAndReadsBack() {
        assertThat(FROM.announcement()).isEqualTo(0x5745_4601);
        assertThat(TO.announcement()).isEqualTo(0x5745_4602);
        assertThat(FROM.and(TO).announcement()).isEqualTo(0x5745_4603);
        assertThat(TunnelRole.announced(FROM.announcement())).containsExactly(Part.ENTRY);
        assertThat(TunnelRole.announced(TO.announcement())).containsExactly(Part.EXIT);
        assertThat(TunnelRole.announced(FROM.and(TO).announcement())).containsExactlyInAnyOrder(Part.ENTRY, Part.EXIT);
    }

    @Test
    void ordinaryPingValuesAreNoAnnouncement() {
        for (int opaque : new int[] {0, 1, 2, 3, 1000, -1, 0x5745_4600, 0x5745_4604, 0x5745_46FF, 0x5745_4501}) {
            assertThat(TunnelRole.announced(opaque)).as("opaque %08x", opaque).isNull();
        }
    }

    @Test
    void anEntryAndAnExitFit() {
        assertThat(FROM.conflictWith(EnumSet.of(Part.EXIT))).isNull();
        assertThat(TO.conflictWith(EnumSet.of(Part.ENTRY))).isNull();
        assertThat(FROM.and(TO).conflictWith(EnumSet.of(Part.ENTRY, Part.EXIT))).isNull();
    }

    @Test
    void twoEntriesAreToldToUseToOnOneEnd() {
        assertThat(FROM.conflictWith(EnumSet.of(Part.ENTRY))).isEqualTo("is an entry too (this end has --from):"
                + " neither end accepts streams; start one of them with --to instead of --from");
    }

    @Test
    void twoExitsAreToldToUseFromOnOneEnd() {
        assertThat(TO.conflictWith(EnumSet.of(Part.EXIT))).isEqualTo("is an exit too (this end has --to):"
                + " nothing enters the tunnel; start one of them with --from instead of --to");
    }

    @Test
    void otherEntryKindsNameTheirOwnFlag() {
        TunnelRole socks = TunnelRole.entry("--socks").and(TunnelRole.entry("--from"));
        assertThat(socks.conflictWith(Set.of(Part.ENTRY))).endsWith("with --to instead of --socks, --from");
        assertThat(socks.toString()).isEqualTo("entry (--socks, --from)");
        assertThat(FROM.conflictWith(EnumSet.of(Part.ENTRY, Part.EXIT)))
                .isEqualTo("opens streams that this end (--from) does not accept; add --to (or --allow) on this end");
        assertThat(FROM.and(TO).conflictWith(EnumSet.of(Part.ENTRY))).isEqualTo("accepts no streams, but this end opens them (--from); add --to on that end");
        assertThat(TO.conflictWith(EnumSet.of(Part.ENTRY, Part.EXIT))).isNull();
    }

    @Test
    void namedStreamEntriesAndExitsAreToldTheirCounterpart() {
        assertThat(TunnelRole.entry("--forward").conflictWith(EnumSet.of(Part.ENTRY)))
                .isEqualTo("is an entry too (this end has --forward): neither end accepts streams;"
                        + " start one of them with --allow instead of --forward");
        assertThat(TunnelRole.exit("--allow").conflictWith(EnumSet.of(Part.EXIT)))
                .isEqualTo("is an exit too (this end has --allow): nothing enters the tunnel;"
                        + " start one of them with --forward (or --socks) instead of --allow");
        assertThat(TunnelRole.entry("--socks").conflictWith(EnumSet.of(Part.EXIT))).isNull();
    }
}

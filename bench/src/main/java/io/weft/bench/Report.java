package io.weft.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects every round's outcomes per (row, variant) and renders the markdown tables: median
 * [min–max] per cell, ratios of medians, and whether each target is met. Used from the
 * orchestrator's main thread only.
 */
final class Report {

    /**
     * One table row: a workload at one size. {@code target} is the minimum ratio of
     * {@code subject} to {@code baseline} asked for (the maximum when {@code lowerIsBetter}), or
     * NaN. Rows with the same {@code cell} come from one run of that cell per variant, each
     * showing the figure {@code metric} of its result (in {@code unit}; {@code value} is the main
     * figure); {@code only} lists the variants the row applies to (empty: every column).
     */
    record Row(String suite, String key, String label, String subject, String baseline, double target, String cell,
            String metric, String unit, boolean lowerIsBetter, List<String> only) {

        Row(String suite, String key, String label, String subject, String baseline, double target) {
            this(suite, key, label, subject, baseline, target, key, "value", "", false, List.of());
        }

        /** Whether {@code variant} runs for this row. */
        boolean appliesTo(String variant) {
            return only.isEmpty() || only.contains(variant);
        }
    }

    /** One table: its rows and its variant columns (key, heading). */
    record Table(String title, List<Row> rows, Map<String, String> columns, List<String[]> extraRatios) {}

    private final Map<String, List<Launcher.Outcome>> outcomes = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();

    void add(Row row, String variant, int round, Launcher.Outcome outcome) {
        outcomes.computeIfAbsent(row.key() + "/" + variant, k -> new ArrayList<>()).add(outcome);
        if (!outcome.ok()) {
            String note = outcome.unavailable()
                    ? variant + ": " + outcome.error()
                    : "round " + round + ", " + row.label() + ", " + variant + ": " + outcome.error();
            if (!failures.contains(note)) {
                failures.add(note);
            }
        }
    }

    List<String> failures() {
        return failures;
    }

    /** The median of the successful rounds, or NaN. */
    double median(Row row, String variant) {
        List<Double> values = values(row, variant);
        if (values.isEmpty()) {
            return Double.NaN;
        }
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    private List<Double> values(Row row, String variant) {
        return outcomes.getOrDefault(row.key() + "/" + variant, List.of()).stream()
                .filter(Launcher.Outcome::ok).map(Launcher.Outcome::value).sorted().toList();
    }

    /** A markdown table for {@code table}. */
    String render(Table table) {
        StringBuilder out = new StringBuilder();
        out.append("**").append(table.title()).append("**\n\n| Workload |");
        table.columns().values().forEach(h -> out.append(' ').append(h).append(" |"));
        Row first = table.rows().getFirst();
        out.append(' ').append(heading(table, first.subject())).append(" ÷ ").append(heading(table, first.baseline()))
                .append(" | Target |");
        for (String[] ratio : table.extraRatios()) {
            out.append(' ').append(heading(table, ratio[0])).append(" ÷ ").append(heading(table, ratio[1])).append(" |");
        }
        out.append("\n|---|");
        out.append("---:|".repeat(table.columns().size() + 2 + table.extraRatios().size())).append('\n');
        for (Row row : table.rows()) {
            out.append("| ").append(row.label()).append(" |");
            for (String variant : table.columns().keySet()) {
                out.append(' ').append(cell(row, variant)).append(" |");
            }
            double ratio = median(row, row.subject()) / median(row, row.baseline());
            out.append(' ').append(ratio(ratio)).append(" | ");
            if (Double.isNaN(row.target())) {
                out.append("—");
            } else {
                boolean met = row.lowerIsBetter() ? ratio <= row.target() : ratio >= row.target();
                out.append(String.format(Locale.ROOT, row.lowerIsBetter() ? "≤ %.2f×" : "≥ %.2f×", row.target()))
                        .append(Double.isNaN(ratio) ? "" : met ? " met" : " **missed**");
            }
            out.append(" |");
            for (String[] extra : table.extraRatios()) {
                out.append(' ').append(ratio(median(row, extra[0]) / median(row, extra[1]))).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String heading(Table table, String variant) {
        return table.columns().getOrDefault(variant, variant);
    }

    private String cell(Row row, String variant) {
        List<Launcher.Outcome> all = outcomes.getOrDefault(row.key() + "/" + variant, List.of());
        List<Double> values = values(row, variant);
        if (values.isEmpty()) {
            return all.isEmpty() ? "—" : all.stream().allMatch(Launcher.Outcome::unavailable) ? "n/a" : "failed";
        }
        String text = format(median(row, variant), row.lowerIsBetter());
        if (values.size() > 1) {
            text += " [" + format(values.getFirst(), row.lowerIsBetter()) + "–"
                    + format(values.getLast(), row.lowerIsBetter()) + "]";
        }
        if (values.size() < all.size()) {
            text += " (" + (all.size() - values.size()) + " failed)";
        }
        return text;
    }

    /** As {@link #format(double)}, with one decimal below 100 for {@code fine} rows (µs, KiB per stream). */
    static String format(double value, boolean fine) {
        return fine && value < 100 ? String.format(Locale.ROOT, "%.1f", value) : format(value);
    }

    /** 28.6k for rates, 2,345 for MB/s-sized numbers. */
    static String format(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return value >= 10_000 ? String.format(Locale.ROOT, "%.1fk", value / 1000)
                : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String ratio(double ratio) {
        return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2f×", ratio);
    }
}

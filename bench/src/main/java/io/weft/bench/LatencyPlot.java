package io.weft.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws the latency-under-bulk plot of the {@code yamux2} suite by hand as SVG (no dependency):
 * round-trip percentiles p50, p90, p99, p99.9 and max on the x axis, microseconds on a log y
 * axis, one line per variant. Pure functions; used from the orchestrator's main thread.
 */
final class LatencyPlot {

    /** The JSON fields plotted, in x order, and their axis labels. */
    static final List<String> FIELDS = List.of("p50", "p90", "p99", "p999", "max");
    private static final List<String> LABELS = List.of("p50", "p90", "p99", "p99.9", "max");
    private static final List<String> COLOURS = List.of("#d62728", "#1f77b4", "#ff9896", "#aec7e8");

    private static final int WIDTH = 760;
    private static final int HEIGHT = 440;
    private static final int LEFT = 80;
    private static final int RIGHT = 560;
    private static final int TOP = 60;
    private static final int BOTTOM = 380;

    private LatencyPlot() {}

    /**
     * Per variant, the median over rounds of each of {@link #FIELDS} (µs); variants with no
     * complete round are left out.
     */
    static Map<String, double[]> medians(Map<String, List<Map<String, Double>>> rounds) {
        Map<String, double[]> out = new LinkedHashMap<>();
        rounds.forEach((variant, results) -> {
            double[] figures = new double[FIELDS.size()];
            for (int f = 0; f < FIELDS.size(); f++) {
                List<Double> values = new ArrayList<>();
                for (Map<String, Double> result : results) {
                    Double v = result.get(FIELDS.get(f));
                    if (v != null && !v.isNaN()) {
                        values.add(v);
                    }
                }
                if (values.isEmpty()) {
                    return;
                }
                values.sort(null);
                int n = values.size();
                figures[f] = n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
            }
            out.put(variant, figures);
        });
        return out;
    }

    /** The SVG document: one polyline per entry of {@code series} (µs), named by {@code headings}. */
    static String render(Map<String, double[]> series, Map<String, String> headings, String title) {
        double lo = Double.MAX_VALUE;
        double hi = 1;
        for (double[] figures : series.values()) {
            for (double v : figures) {
                lo = Math.min(lo, Math.max(v, 1));
                hi = Math.max(hi, v);
            }
        }
        int lowDecade = series.isEmpty() ? 0 : (int) Math.floor(Math.log10(lo));
        int highDecade = Math.max(lowDecade + 1, (int) Math.ceil(Math.log10(hi)));
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                LEFT - 60, escape("Round-trip latency under bulk load")));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"42\" fill=\"#555\">%s</text>%n", LEFT - 60,
                escape(title)));
        for (int decade = lowDecade; decade <= highDecade; decade++) {
            double y = y(Math.pow(10, decade), lowDecade, highDecade);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, RIGHT, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 8,
                    y + 4, tick(decade)));
        }
        for (int i = 0; i < LABELS.size(); i++) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x(i),
                    BOTTOM + 20, LABELS.get(i)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile of the "
                + "64 B round trip (lower is better)</text>%n", (LEFT + RIGHT) / 2, BOTTOM + 42));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#888\"/>%n", LEFT, TOP, RIGHT - LEFT, BOTTOM - TOP));
        int line = 0;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            String colour = COLOURS.get(line % COLOURS.size());
            String name = headings.getOrDefault(e.getKey(), e.getKey());
            StringBuilder points = new StringBuilder();
            double[] figures = e.getValue();
            for (int i = 0; i < figures.length; i++) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(i), y(figures[i], lowDecade, highDecade)));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                    + "points=\"%s\"/>%n", colour, points.toString().trim()));
            for (int i = 0; i < figures.length; i++) {
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\">"
                        + "<title>%s %s: %s</title></circle>%n", x(i), y(figures[i], lowDecade, highDecade), colour,
                        escape(name), LABELS.get(i), micros(figures[i])));
            }
            int ly = TOP + 10 + line * 36;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/>%n", RIGHT + 16, ly, RIGHT + 40, ly, colour));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", RIGHT + 46, ly + 4,
                    escape(name)));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\" font-size=\"10\">p50 %s, "
                    + "p99 %s</text>%n", RIGHT + 46, ly + 18, micros(figures[0]), micros(figures[2])));
            line++;
        }
        if (series.isEmpty()) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">no results</text>%n", LEFT + 20, TOP + 40));
        }
        return svg.append("</svg>\n").toString();
    }

    private static double x(int index) {
        return LEFT + 30 + index * (RIGHT - LEFT - 60) / (double) (LABELS.size() - 1);
    }

    private static double y(double micros, int lowDecade, int highDecade) {
        double fraction = (Math.log10(Math.max(micros, 1)) - lowDecade) / (highDecade - lowDecade);
        return BOTTOM - fraction * (BOTTOM - TOP);
    }

    /** A decade's axis label: 100 µs, 1 ms, 10 ms, 1 s. */
    private static String tick(int decade) {
        double micros = Math.pow(10, decade);
        return micros >= 1e6 ? String.format(Locale.ROOT, "%.0f s", micros / 1e6)
                : micros >= 1e3 ? String.format(Locale.ROOT, "%.0f ms", micros / 1e3)
                : String.format(Locale.ROOT, "%.0f µs", micros);
    }

    /** 850 µs, 6.2 ms, 1.3 s. */
    static String micros(double micros) {
        if (micros >= 1_000_000) {
            return String.format(Locale.ROOT, "%.3g s", micros / 1e6);
        }
        return micros >= 1000 ? String.format(Locale.ROOT, "%.3g ms", micros / 1e3)
                : String.format(Locale.ROOT, "%.0f µs", micros);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

package org.sparkgan.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG: series against the step (or any x the x label names), axes with tick labels, a legend
 * above the plot (a legend of several rows makes the chart taller, never the plot shorter). Built in Java so the report
 * needs no script and no network. The y axis spans 0 (heights then compare honestly) and every finite value, negative
 * ones too (the colour means lie in [-1, 1]); gaps in a series are left open, and non-finite values are marked with a
 * cross at the top edge instead of vanishing.
 */
final class SvgChart {
    static final int WIDTH = 720;
    /** The height with a one-row legend; each further row adds its own. */
    static final int HEIGHT = 300;
    private static final int LEFT = 64, RIGHT = 20, BOTTOM = 46, TITLE = 26, LEGEND_ROW = 20;
    /** Few enough points to mark each one. */
    private static final int MARK_POINTS = 40;

    /** One line: {@code points} are (x, value) pairs in x order; a non-finite value breaks the line. */
    record Series(String name, String colour, boolean dashed, List<double[]> points) {}

    private final String title, xLabel, yLabel;
    private final List<Series> series = new ArrayList<>();
    private double yTopAtLeast = 0;

    SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    SvgChart add(Series s) {
        if (!s.points().isEmpty()) series.add(s);
        return this;
    }

    /** Extends the y axis up to {@code max} at least (accuracies: 1), so a chart of small values keeps its scale. */
    SvgChart yAtLeast(double max) {
        yTopAtLeast = max;
        return this;
    }

    boolean isEmpty() {
        return series.isEmpty();
    }

    String svg() {
        List<List<Series>> legendRows = legendRows();
        int top = TITLE + LEGEND_ROW * legendRows.size() + 10;
        int height = HEIGHT + LEGEND_ROW * Math.max(0, legendRows.size() - 1);
        int plotW = WIDTH - LEFT - RIGHT, plotH = height - top - BOTTOM;

        double xLo = Double.POSITIVE_INFINITY, xHi = Double.NEGATIVE_INFINITY, yLo = 0, yHi = yTopAtLeast;
        for (Series s : series) {
            for (double[] p : s.points()) {
                xLo = Math.min(xLo, p[0]);
                xHi = Math.max(xHi, p[0]);
                if (Double.isFinite(p[1])) {
                    yLo = Math.min(yLo, p[1]);
                    yHi = Math.max(yHi, p[1]);
                }
            }
        }
        if (yHi <= yLo) yHi = yLo + 1; // all zero: any unit scale will do
        if (xHi <= xLo) {
            xLo -= 1;
            xHi += 1;
        }
        Axis x = Axis.of(xLo, xHi, 8, true), y = Axis.of(yLo, yHi, 5, false);

        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">%n", WIDTH, height, WIDTH, height,
                Html.escape(title)));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>%n", WIDTH, height));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"15\" font-weight=\"600\" "
                + "fill=\"#222\">%s</text>%n", LEFT, Html.escape(title)));
        legend(sb, legendRows);

        // grid, ticks and labels
        for (double t : y.ticks()) {
            double py = top + plotH - (t - y.lo) / (y.hi - y.lo) * plotH;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" fill=\"#555\" text-anchor=\"end\">%s</text>%n",
                    LEFT, py, LEFT + plotW, py, LEFT - 6, py + 4, y.label(t)));
        }
        for (double t : x.ticks()) {
            double px = LEFT + (t - x.lo) / (x.hi - x.lo) * plotW;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e6e6e6\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#555\" text-anchor=\"middle\">%s</text>%n",
                    px, top, px, top + plotH + 4, px, top + plotH + 17, x.label(t)));
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#999\"/>%n", LEFT, top, plotW, plotH));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#333\" "
                + "text-anchor=\"middle\">%s</text>%n", LEFT + plotW / 2, height - 8, Html.escape(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text transform=\"translate(16 %d) rotate(-90)\" font-size=\"12\" "
                + "fill=\"#333\" text-anchor=\"middle\">%s</text>%n", top + plotH / 2, Html.escape(yLabel)));

        for (Series s : series) {
            String dash = s.dashed() ? " stroke-dasharray=\"7 4\"" : "";
            List<String> run = new ArrayList<>();
            boolean mark = !s.dashed() && s.points().size() <= MARK_POINTS; // dashed lines are references
            for (double[] p : s.points()) {
                double px = LEFT + (p[0] - x.lo) / (x.hi - x.lo) * plotW;
                if (!Double.isFinite(p[1])) {
                    line(sb, run, s.colour(), dash);
                    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"13\" fill=\"%s\" "
                            + "text-anchor=\"middle\"><title>%s: %s at %s %s</title>×</text>%n", px, top + 11,
                            s.colour(), Html.escape(s.name()), Html.escape(Records.format(p[1])), Html.escape(xLabel),
                            Html.escape(Records.format(p[0]))));
                    continue;
                }
                double py = top + plotH - (p[1] - y.lo) / (y.hi - y.lo) * plotH;
                run.add(String.format(Locale.ROOT, "%.1f,%.1f", px, py));
                if (mark) {
                    sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n",
                            px, py, s.colour()));
                }
            }
            line(sb, run, s.colour(), dash);
        }
        return sb.append("</svg>\n").toString();
    }

    /** Ends one unbroken stretch of a series (a single point shows as its marker). */
    private static void line(StringBuilder sb, List<String> run, String colour, String dash) {
        if (run.size() >= 2) {
            sb.append(String.format("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"%s\"/>%n",
                    colour, dash, String.join(" ", run)));
        } else if (run.size() == 1) {
            String[] xy = run.get(0).split(",");
            sb.append(String.format("<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"/>%n", xy[0], xy[1], colour));
        }
        run.clear();
    }

    /** Legend entries in rows that fit the chart's width (text width estimated from its length). */
    private List<List<Series>> legendRows() {
        List<List<Series>> rows = new ArrayList<>();
        List<Series> row = new ArrayList<>();
        int used = 0;
        for (Series s : series) {
            int w = legendWidth(s);
            if (!row.isEmpty() && used + w > WIDTH - LEFT - RIGHT) {
                rows.add(row);
                row = new ArrayList<>();
                used = 0;
            }
            row.add(s);
            used += w;
        }
        if (!row.isEmpty()) rows.add(row);
        return rows;
    }

    private static int legendWidth(Series s) {
        return 34 + (int) Math.ceil(s.name().length() * 6.6) + 18;
    }

    private static void legend(StringBuilder sb, List<List<Series>> rows) {
        for (int r = 0; r < rows.size(); r++) {
            int ly = TITLE + 10 + r * LEGEND_ROW, lx = LEFT;
            for (Series s : rows.get(r)) {
                sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                        + "stroke-width=\"2.5\"%s/><text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#333\">%s</text>%n",
                        lx, ly, lx + 26, ly, s.colour(), s.dashed() ? " stroke-dasharray=\"7 4\"" : "", lx + 32, ly + 4,
                        Html.escape(s.name())));
                lx += legendWidth(s);
            }
        }
    }

    /** An axis from {@code lo} to {@code hi} with ticks every {@code step}, both ends on ticks. */
    record Axis(double lo, double hi, double step) {
        static Axis of(double lo, double hi, int ticks, boolean whole) {
            double step = nice((hi - lo) / ticks);
            if (whole) step = Math.max(1, step);
            return new Axis(Math.floor(lo / step) * step, Math.ceil(hi / step) * step, step);
        }

        /** 1, 2, 2.5 or 5 times a power of ten, the smallest at least {@code raw}. */
        static double nice(double raw) {
            double p = Math.pow(10, Math.floor(Math.log10(raw)));
            for (double m : new double[]{1, 2, 2.5, 5}) if (m * p >= raw * (1 - 1e-9)) return m * p;
            return 10 * p;
        }

        List<Double> ticks() {
            List<Double> t = new ArrayList<>();
            for (long i = 0; lo + i * step <= hi + step * 1e-6; i++) t.add(lo + i * step);
            return t;
        }

        /** Just enough decimals for the tick step; thousands as "k" once the numbers get long. */
        String label(double v) {
            if (Math.abs(step) >= 1000 && Math.abs(hi) >= 10_000) return trim(v / 1000, step / 1000) + "k";
            return trim(v, step);
        }

        private static String trim(double v, double step) {
            int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
            if (step * Math.pow(10, decimals) % 1 > 1e-6) decimals++; // steps like 2.5
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
    }
}

package org.sparkgan.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sparkgan.io.RunKeys;
import org.sparkgan.io.RunFolder;
import org.sparkgan.report.Records.SampleGrid;
import org.sparkgan.train.Param;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code report.html} in a run folder: summary, {@link Signals}, charts of the metrics as inline SVG, the sample
 * grids over time beside the real one, configuration and provenance. Everything is read from the folder itself, on
 * any Hadoop file system; the page is one self-contained file apart from the sample PNGs, which it links relatively,
 * so the folder can be copied or served as a whole. No script, no network.
 */
public final class RunReport {
    public static final String FILE = "report.html";
    /** Sample grids shown in the page's time line; all of them are linked below it. */
    static final int TIMELINE = 24;
    private static final Pattern SWD_LEVEL = Pattern.compile(Pattern.quote(RunKeys.SWD_LEVEL_PREFIX) + "(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunReport() {}

    /** Writes (or replaces) report.html in the run folder's root. */
    public static void write(RunFolder run) throws IOException {
        run.write(FILE, html(run).getBytes(StandardCharsets.UTF_8));
    }

    /** The page for the run folder as it is now. */
    public static String html(RunFolder run) throws IOException {
        Map<String, Object> configJson = run.exists(RunFolder.CONFIG) ? run.readJson(RunFolder.CONFIG) : Map.of();
        Map<String, Object> config = Records.section(configJson, RunKeys.CONFIG);
        Map<String, Object> provenance = Records.section(configJson, RunKeys.PROVENANCE);
        List<Map<String, Object>> records = run.readMetrics();
        List<SampleGrid> samples = Records.sampleGrids(run);
        boolean real = run.exists(RunFolder.SAMPLES + "/real.png");
        String raw = samples.isEmpty() ? null : RunFolder.SAMPLES + "/" + RunFolder.stepName(samples.get(samples.size() - 1).step())
                + Trainer.RAW_SUFFIX + ".png";
        if (raw != null && !run.exists(raw)) raw = null;

        String name = run.root().getName();
        StringBuilder sb = Html.page(name + " · sparkgan run report", STYLE);
        sb.append("<header>\n<h1>Training run <code>").append(Html.escape(name)).append("</code></h1>\n")
                .append("<p class=\"where\">").append(Html.escape(run.root())).append("<br>report written ")
                .append(Html.escape(Instant.now().truncatedTo(ChronoUnit.SECONDS))).append("</p>\n")
                .append("<nav><a href=\"#signals\">Signals</a> · <a href=\"#charts\">Charts</a> · ")
                .append("<a href=\"#samples\">Samples</a> · <a href=\"#config\">Configuration</a> · ")
                .append("<a href=\"#provenance\">Provenance</a></nav>\n</header>\n");
        summary(sb, run, config, records, samples);
        signals(sb, records);
        charts(sb, records, config);
        samples(sb, samples, real, raw);
        configuration(sb, config);
        provenance(sb, provenance);
        return sb.append(Html.END).toString();
    }

    private static void summary(StringBuilder sb, RunFolder run, Map<String, Object> config,
                                List<Map<String, Object>> records, List<SampleGrid> samples) throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        List<Map<String, Object>> training = Records.training(records);
        if (!training.isEmpty()) {
            Map<String, Object> last = training.get(training.size() - 1);
            Object total = config.get(TrainConfig.STEPS.name());
            rows.put("Step", Records.step(last) + (total == null ? "" : " of " + total));
            Double elapsed = Records.number(last, RunKeys.ELAPSED_SEC);
            if (elapsed != null) rows.put("Training time", duration(elapsed));
            rows.put("Losses (last logged)", "D " + value(last, RunKeys.D_LOSS) + ", G " + value(last, RunKeys.G_LOSS));
            rows.put("D accuracy (last logged)", "real " + value(last, RunKeys.D_ACC_REAL) + ", fake "
                    + value(last, RunKeys.D_ACC_FAKE));
            if (last.containsKey(RunKeys.D_OUT_REAL)) {
                rows.put("D's mean output (last logged)", "real " + value(last, RunKeys.D_OUT_REAL) + ", fake "
                        + value(last, RunKeys.D_OUT_FAKE));
            }
            double ips = training.stream().map(r -> Records.number(r, RunKeys.IMAGES_PER_SEC))
                    .filter(v -> v != null && Double.isFinite(v)).mapToDouble(Double::doubleValue).average()
                    .orElse(Double.NaN);
            if (Double.isFinite(ips)) rows.put("Throughput (mean)", Records.format(ips) + " images/s");
            if (last.containsKey(RunKeys.SEC_PER_STEP)) rows.put("Seconds per step (last)", value(last, RunKeys.SEC_PER_STEP));
            Double outside = Records.number(last, RunKeys.OUTSIDE_COMPUTE_SHARE);
            if (outside != null && Double.isFinite(outside)) {
                rows.put("Time outside compute (last)", Records.format(100 * outside) + "%");
            }
            if (last.containsKey(RunKeys.WORKERS)) {
                rows.put("Workers", value(last, RunKeys.WORKERS) + (last.containsKey(RunKeys.AVERAGING_FREQUENCY)
                        ? ", averaging every " + value(last, RunKeys.AVERAGING_FREQUENCY) + " steps" : ""));
            }
        } else {
            rows.put("Step", "no training steps logged yet");
        }
        Records.latest(records, RunKeys.SWD_AVG).ifPresent(r -> rows.put("SWD ×1000 (latest)", value(r, RunKeys.SWD_AVG) + " at step "
                + Records.step(r)
                + (r.containsKey(RunKeys.SWD_FLOOR_AVG) ? "; real-vs-real floor " + value(r, RunKeys.SWD_FLOOR_AVG) : "")
                + (r.containsKey(RunKeys.SWD_IMAGES) ? "; " + value(r, RunKeys.SWD_IMAGES) + " images per set" : "")));
        Records.latest(records, RunKeys.DIVERSITY).ifPresent(r -> rows.put("Sample diversity (latest)", value(r, RunKeys.DIVERSITY)
                + " at step " + Records.step(r)));
        List<Long> checkpoints = run.checkpointSteps();
        rows.put("Checkpoints", checkpoints.isEmpty() ? "none" : "steps " + join(checkpoints));
        rows.put("Sample grids", Integer.toString(samples.size()));

        sb.append("<section id=\"summary\">\n<table class=\"kv\">\n");
        rows.forEach((k, v) -> sb.append("<tr><th>").append(Html.escape(k)).append("</th><td>").append(Html.escape(v))
                .append("</td></tr>\n"));
        sb.append("</table>\n</section>\n");
    }

    private static void signals(StringBuilder sb, List<Map<String, Object>> records) {
        List<String> warnings = Signals.warnings(records);
        sb.append("<section id=\"signals\">\n<h2>Signals</h2>\n");
        if (warnings.isEmpty()) {
            sb.append("<p class=\"ok\">No warnings: no non-finite losses, D is neither overpowering G nor at chance, "
                    + "and the sample ")
                    .append("diversity has not collapsed").append(records.isEmpty() ? " (no metrics logged yet)" : "")
                    .append(".</p>\n");
        } else {
            sb.append("<ul class=\"warnings\">\n");
            for (String w : warnings) sb.append("<li>").append(Html.escape(w)).append("</li>\n");
            sb.append("</ul>\n");
        }
        sb.append("</section>\n");
    }

    private static void charts(StringBuilder sb, List<Map<String, Object>> records, Map<String, Object> config) {
        sb.append("<section id=\"charts\">\n<h2>Charts</h2>\n");
        int shown = 0;
        shown += figure(sb, new SvgChart("Losses", "step", "loss")
                        .add(series(records, RunKeys.D_LOSS, "D loss", Html.PALETTE[0]))
                        .add(series(records, RunKeys.G_LOSS, "G loss", Html.PALETTE[1])),
                "Binary cross-entropy at each logged step. Both near ln 2 ≈ 0.69 is a balanced game; D's loss near 0 "
                        + "while G's climbs means D is winning.");
        List<double[]> accuracySteps = Records.points(records, RunKeys.D_ACC_REAL);
        shown += figure(sb, new SvgChart("D accuracy", "step", "accuracy").yAtLeast(1)
                        .add(series(records, RunKeys.D_ACC_REAL, "on real images", Html.PALETTE[2]))
                        .add(series(records, RunKeys.D_ACC_FAKE, "on generated images", Html.PALETTE[3]))
                        .add(level(accuracySteps, 0.5, "chance (0.5)")),
                "How often D classifies correctly (output under or over 0.5) in the pass it trains on (dropout on), "
                        + "before its update. Both near 1 for "
                        + "long means D separates real from generated easily. One near 0 and the other near 1 is "
                        + "usually D at chance, not D winning: see D's mean output below.");
        Object noise = config.get(TrainConfig.LABEL_NOISE.name());
        double labelNoise = noise == null ? 0 : Double.parseDouble(String.valueOf(noise));
        double chance = 0.5 + labelNoise / 2;
        List<double[]> outputSteps = Records.points(records, RunKeys.D_OUT_REAL);
        shown += figure(sb, new SvgChart("D's mean output", "step", "P(fake)").yAtLeast(1)
                        .add(series(records, RunKeys.D_OUT_REAL, "on real images (target " + Records.format(labelNoise / 2)
                                + ")", Html.PALETTE[2]))
                        .add(series(records, RunKeys.D_OUT_FAKE, "on generated images (target "
                                + Records.format(1 + labelNoise / 2) + ")", Html.PALETTE[3]))
                        .add(level(outputSteps, chance, "chance (" + Records.format(chance) + ")")),
                "D's mean probability of \"fake\" before its update. With label noise X its targets average X/2 on "
                        + "reals and 1 + X/2 on fakes, so a D that cannot tell them apart outputs about 0.5 + X/2 for "
                        + "both: accuracies of 0 on reals and 1 on fakes with both outputs there mean chance. The lines "
                        + "apart, reals low and fakes high, mean D tells them apart.");

        SvgChart swd = new SvgChart("Sliced Wasserstein distance (SWD ×1000)", "step", "SWD ×1000")
                .add(series(records, RunKeys.SWD_AVG, "mean of levels", Html.PALETTE[0]));
        if (!Records.points(records, RunKeys.SWD_G_AVG).isEmpty()) {
            swd.add(series(records, RunKeys.SWD_G_AVG, "mean of levels, G without its average", Html.PALETTE[1]));
        }
        TreeSet<Integer> levels = new TreeSet<>(Comparator.reverseOrder());
        for (Map<String, Object> r : records) {
            for (String k : r.keySet()) {
                Matcher m = SWD_LEVEL.matcher(k);
                if (m.matches()) levels.add(Integer.parseInt(m.group(1)));
            }
        }
        int c = 2;
        for (int level : levels) {
            swd.add(series(records, RunKeys.SWD_LEVEL_PREFIX + level, "level " + level + "×" + level,
                    Html.PALETTE[c++ % Html.PALETTE.length]));
        }
        List<double[]> swdSteps = Records.points(records, RunKeys.SWD_AVG);
        swd.add(new SvgChart.Series("real-vs-real floor", Html.GREY, true,
                Records.floorLine(Records.points(records, RunKeys.SWD_FLOOR_AVG), swdSteps)));
        if (!swdSteps.isEmpty()) {
            shown += figure(sb, swd, "Distance between generated and real images per Laplacian-pyramid level and on "
                    + "average (Karras et al. 2018); lower is better. The dashed line is the distance between two sets "
                    + "of real images: the best a generator can be expected to reach. With G's moving average kept, the "
                    + "levels are the average's and a second mean is G's own.");
        }

        List<double[]> diversity = Records.points(records, RunKeys.DIVERSITY);
        if (!diversity.isEmpty()) {
            double first = diversity.stream().mapToDouble(p -> p[1]).filter(v -> Double.isFinite(v) && v > 0)
                    .findFirst().orElse(Double.NaN);
            SvgChart chart = new SvgChart("Sample diversity", "step", "mean pairwise L2")
                    .add(new SvgChart.Series("diversity of the sample grid", Html.PALETTE[4], false, diversity));
            if (Double.isFinite(first)) {
                chart.add(level(diversity, Signals.COLLAPSE_RATIO * first, "collapse threshold (½ of first)"));
            }
            shown += figure(sb, chart, "Mean pairwise L2 distance between the 64 images of the fixed-noise sample "
                    + "grid. A fall below the dashed line suggests the generator is collapsing onto a few outputs.");
        }

        if (!Records.points(records, RunKeys.GRID_MEAN_PREFIX + "r").isEmpty()) {
            SvgChart colours = new SvgChart("Colour", "step", "channel mean ([-1, 1])");
            String[][] channels = {{"r", "red", "#d62728"}, {"g", "green", "#2ca02c"}, {"b", "blue", "#1f77b4"}};
            for (String[] ch : channels) {
                colours.add(series(records, RunKeys.GRID_MEAN_PREFIX + ch[0], ch[1] + " of the sample grid", ch[2]));
                colours.add(new SvgChart.Series(ch[1] + " of real images", ch[2], true, Records.points(records, RunKeys.REAL_MEAN_PREFIX + ch[0])));
            }
            shown += figure(sb, colours, "Per-channel mean of the sample grid (solid) and of real images (dashed). "
                    + "SWD normalises each set's colours away, so a generator that is globally too dark or too green "
                    + "shows here, not there.");
        }

        shown += figure(sb, new SvgChart("Throughput", "step", "images/s")
                        .add(series(records, RunKeys.IMAGES_PER_SEC, "real images per second", Html.PALETTE[0])),
                "Real images trained on per second, all workers together, averaged over each logging interval.");
        if (records.stream().anyMatch(r -> r.containsKey(RunKeys.SEC_PER_STEP))) {
            shown += figure(sb, new SvgChart("Time per step", "step", "seconds")
                            .add(series(records, RunKeys.SEC_PER_STEP, "whole step", Html.PALETTE[0]))
                            .add(series(records, RunKeys.FAKE_SEC, "generating fakes", Html.PALETTE[3]))
                            .add(series(records, RunKeys.D_STEP_SEC, "D update", Html.PALETTE[2]))
                            .add(series(records, RunKeys.G_STEP_SEC, "G update", Html.PALETTE[1])),
                    "Wall-clock seconds per step and the phases inside it, averaged over each logging interval.");
        }
        shown += perWorker(sb, records);
        if (shown == 0) sb.append("<p>No metrics logged yet.</p>\n");
        sb.append("</section>\n");
    }

    /** One line per worker for D and G losses, when a distributed run logged them. */
    private static int perWorker(StringBuilder sb, List<Map<String, Object>> records) {
        SvgChart chart = new SvgChart("Losses per worker", "step", "loss");
        for (String key : new String[]{RunKeys.D_LOSS, RunKeys.G_LOSS}) {
            int workers = records.stream().mapToInt(r -> r.get(RunKeys.perWorker(key)) instanceof List<?> l ? l.size() : 0)
                    .max().orElse(0);
            for (int w = 0; w < workers; w++) {
                int index = w;
                List<double[]> points = new ArrayList<>();
                for (Map<String, Object> r : records) {
                    Long step = Records.step(r);
                    if (step != null && r.get(RunKeys.perWorker(key)) instanceof List<?> l && index < l.size()) {
                        Double v = Records.number(l.get(index));
                        if (v != null) points.add(new double[]{step, v});
                    }
                }
                chart.add(new SvgChart.Series((key.startsWith("d") ? "D" : "G") + " worker " + (w + 1),
                        Html.PALETTE[w % Html.PALETTE.length], key.startsWith("g"), points));
            }
        }
        return figure(sb, chart, "Each worker's mean losses over its local steps (D solid, G dashed) before the "
                + "parameters are averaged; workers drifting apart point at uneven data shards.");
    }

    private static int figure(StringBuilder sb, SvgChart chart, String caption) {
        if (chart.isEmpty()) return 0;
        Html.figure(sb, chart.svg(), caption);
        return 1;
    }

    /** @param raw G's own grid beside the latest G_ema grid, or null for runs without a moving average */
    private static void samples(StringBuilder sb, List<SampleGrid> samples, boolean real, String raw) {
        sb.append("<section id=\"samples\">\n<h2>Samples</h2>\n");
        if (samples.isEmpty() && !real) {
            sb.append("<p>No sample grids yet.</p>\n</section>\n");
            return;
        }
        sb.append("<p class=\"note\">8×8 grids of G's outputs for one fixed batch of latent vectors, so the same cell ")
                .append("shows the same latent throughout the run; the real grid shows training images.</p>\n");
        sb.append("<div class=\"grids pair\">\n");
        if (real) grid(sb, RunFolder.SAMPLES + "/real.png", "real images", "real images");
        if (!samples.isEmpty()) {
            SampleGrid last = samples.get(samples.size() - 1);
            grid(sb, last.link(), "generated, step " + last.step() + " (latest" + (raw == null ? ")" : ", G's moving average)"),
                    "generated at step " + last.step());
            if (raw != null) grid(sb, raw, "G's own weights, step " + last.step(), "G's own weights at step " + last.step());
        }
        sb.append("</div>\n");
        if (samples.size() > 1) {
            List<SampleGrid> shown = spread(samples, TIMELINE);
            sb.append("<h3>Over time").append(shown.size() < samples.size()
                    ? " (" + shown.size() + " of " + samples.size() + " grids)" : "").append("</h3>\n");
            sb.append("<div class=\"grids timeline\">\n");
            for (SampleGrid s : shown) grid(sb, s.link(), "step " + s.step(), "generated at step " + s.step());
            sb.append("</div>\n");
            if (shown.size() < samples.size()) {
                sb.append("<details><summary>All ").append(samples.size()).append(" grids</summary>\n<p class=\"all\">");
                for (SampleGrid s : samples) {
                    sb.append("<a href=\"").append(Html.escape(s.link())).append("\">").append(s.step()).append("</a> ");
                }
                sb.append("</p>\n</details>\n");
            }
        }
        sb.append("</section>\n");
    }

    private static void grid(StringBuilder sb, String link, String caption, String alt) {
        sb.append("<figure>");
        Html.image(sb, link, alt);
        sb.append("<figcaption>").append(Html.escape(caption)).append("</figcaption></figure>\n");
    }

    /** At most {@code n} evenly spaced items, the first and the last always among them. */
    static <T> List<T> spread(List<T> items, int n) {
        if (items.size() <= n) return items;
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(items.get((int) Math.round((double) i * (items.size() - 1) / (n - 1))));
        return out;
    }

    private static void configuration(StringBuilder sb, Map<String, Object> config) {
        sb.append("<section id=\"config\">\n<h2>Configuration</h2>\n");
        if (config.isEmpty()) {
            sb.append("<p>No configuration recorded (config.json is missing or has no \"config\").</p>\n</section>\n");
            return;
        }
        Map<String, String> help = new LinkedHashMap<>();
        for (Param<?> p : TrainConfig.PARAMS) help.put(p.name(), p.help().replace('\n', ' '));
        sb.append("<table class=\"config\">\n<tr><th>key</th><th>value</th><th>meaning</th></tr>\n");
        config.forEach((k, v) -> sb.append("<tr><td><code>").append(Html.escape(k)).append("</code></td><td><code>")
                .append(Html.escape(text(v))).append("</code></td><td class=\"help\">")
                .append(Html.escape(help.getOrDefault(k, ""))).append("</td></tr>\n"));
        sb.append("</table>\n</section>\n");
    }

    private static void provenance(StringBuilder sb, Map<String, Object> provenance) {
        sb.append("<section id=\"provenance\">\n<h2>Provenance</h2>\n");
        if (provenance.isEmpty()) {
            sb.append("<p>No provenance recorded.</p>\n</section>\n");
            return;
        }
        sb.append("<table class=\"kv\">\n");
        provenance.forEach((k, v) -> sb.append("<tr><th>").append(Html.escape(k)).append("</th><td><code>")
                .append(Html.escape(text(v))).append("</code></td></tr>\n"));
        sb.append("</table>\n</section>\n");
    }

    private static SvgChart.Series series(List<Map<String, Object>> records, String key, String name, String colour) {
        return new SvgChart.Series(name, colour, false, Records.points(records, key));
    }

    /** A dashed horizontal reference line across the steps of {@code over}. */
    private static SvgChart.Series level(List<double[]> over, double value, String name) {
        return new SvgChart.Series(name, Html.GREY, true, Records.across(over, value));
    }

    private static String value(Map<String, Object> r, String key) {
        Double v = Records.number(r, key);
        return v == null ? "–" : Records.format(v);
    }

    /** Strings as they are, anything else (numbers, lists, objects) as compact JSON. */
    private static String text(Object v) {
        if (v instanceof String s) return s;
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            return String.valueOf(v);
        }
    }

    private static String join(List<Long> steps) {
        return String.join(", ", steps.stream().map(String::valueOf).toList());
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + " s";
        if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    /** report.html's own rules, after {@link Html}'s. */
    private static final String STYLE = """
            main { max-width: 960px; }
            h1 code { font-size: inherit; }
            h3 { font-size: 15px; margin: 20px 0 8px; }
            code { font: 13px ui-monospace, "DejaVu Sans Mono", monospace; }
            .where { margin: 0 0 8px; }
            .all a { color: #0b5cad; text-decoration: none; }
            nav { margin-bottom: 14px; }
            table.kv th { width: 240px; font-weight: 600; color: #444; }
            table.config td:first-child { white-space: nowrap; }
            table.config td:nth-child(2) { width: 30%; }
            table.config td code { overflow-wrap: anywhere; }
            td.help { color: #666; font-size: 12.5px; }
            ul.warnings { padding: 0; margin: 0; }
            ul.warnings li { list-style: none; background: #fff4e5; border-left: 4px solid #e8a33d;
                             padding: 6px 10px; margin: 6px 0; }
            p.ok { background: #eaf6ec; border-left: 4px solid #3a9b4e; padding: 6px 10px; }
            figure { margin: 18px 0; }
            figcaption { max-width: 720px; }
            svg.chart { max-width: 100%; }
            .grids { display: flex; flex-wrap: wrap; gap: 14px; }
            .grids figure { margin: 0; }
            .grids img { display: block; image-rendering: pixelated; border-radius: 2px; }
            .pair img { width: 411px; }
            .timeline img { width: 274px; }
            .grids figcaption { text-align: center; }
            """;
}

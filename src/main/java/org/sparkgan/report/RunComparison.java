package org.sparkgan.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.sparkgan.BadInputException;
import org.sparkgan.io.PathKinds;
import org.sparkgan.io.RunFolder;
import org.sparkgan.io.RunKeys;
import org.sparkgan.train.TrainConfig;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One page comparing run folders: SWD, losses and D's accuracies of every run overlaid, by images seen and by wall
 * time, one colour per run, and a table of the runs linking each one's report.html and newest sample grid. Plain HTML
 * with inline SVG like report.html, read from the folders on any Hadoop file system.
 */
public final class RunComparison {
    private RunComparison() {}

    /** One run as the page shows it; {@code workers} is 1 for a single-JVM run. */
    record Run(RunFolder folder, String label, String colour, Map<String, Object> config,
               List<Map<String, Object>> records, int workers, long batchSize, boolean hasReport,
               Records.SampleGrid newestSample) {
        String name() {
            return folder.root().getName();
        }

        /** Images the run has trained on by {@code step}: every worker trains a batch per step. */
        double imagesSeen(double step) {
            return step * batchSize * workers;
        }

        List<Map<String, Object>> training() {
            return Records.training(records);
        }
    }

    /** How wall time is shown: in the unit that keeps the axis' numbers short for the longest run. */
    private record TimeUnit(String label, double seconds) {
        static TimeUnit of(double longestSeconds) {
            if (longestSeconds <= 600) return new TimeUnit("wall time (s)", 1);
            if (longestSeconds <= 36_000) return new TimeUnit("wall time (min)", 60);
            return new TimeUnit("wall time (h)", 3600);
        }
    }

    /**
     * Reads the run folders, refusing anything else with one line, and writes the page to {@code output} (a file,
     * replaced atomically when it exists); returns where it went.
     */
    public static Path write(List<String> runUris, String output, Configuration conf) throws IOException {
        if (runUris.isEmpty()) throw new BadInputException("no run folders to compare: give --runs one or more");
        List<Run> runs = new ArrayList<>();
        for (String uri : runUris) runs.add(read(uri, runs.size(), conf));
        Path requested = new Path(output);
        // a private instance: the cached one is shared, and its checksum setting must not change for others
        try (FileSystem fs = FileSystem.newInstance(requested.toUri(), conf)) {
            fs.setWriteChecksum(false); // a page for people: no .crc beside it on a local disk
            Path target = fs.makeQualified(requested);
            if (fs.exists(target) && fs.getFileStatus(target).isDirectory()) {
                throw new BadInputException(output + ": is a folder; --output names the HTML file to write, e.g. "
                        + new Path(target, "compare.html"));
            }
            if (target.getParent() == null) throw new BadInputException(output + ": cannot write to the root folder");
            byte[] page = html(runs, target.getParent()).getBytes(StandardCharsets.UTF_8);
            fs.mkdirs(target.getParent());
            Path staging = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
            try {
                try (FSDataOutputStream out = fs.create(staging, false)) {
                    out.write(page);
                }
                // one rename that replaces: a reader sees the old page or the new one, never none
                FileContext.getFileContext(target.toUri(), conf).rename(staging, target, Options.Rename.OVERWRITE);
            } finally {
                if (fs.exists(staging)) fs.delete(staging, false);
            }
            return target;
        }
    }

    /** The run folder at {@code uri}, the {@code index}-th of the page; anything but a run folder is bad input. */
    static Run read(String uri, int index, Configuration conf) throws IOException {
        RunFolder folder = RunFolder.at(uri, conf);
        PathKinds.Kind kind = PathKinds.of(folder.fileSystem(), folder.root());
        if (kind == PathKinds.Kind.MISSING) throw new BadInputException(uri + ": no such run folder");
        if (kind != PathKinds.Kind.RUN_FOLDER) {
            throw new BadInputException(uri + ": not a sparkgan run folder: it is " + kind.description()
                    + "; --runs takes folders train wrote (" + RunFolder.CONFIG + " beside " + RunFolder.METRICS
                    + ", " + RunFolder.SAMPLES + "/ or " + RunFolder.CHECKPOINTS + "/)");
        }
        Map<String, Object> config;
        List<Map<String, Object>> records;
        try {
            config = Records.section(folder.readJson(RunFolder.CONFIG), RunKeys.CONFIG);
            records = folder.readMetrics();
        } catch (JsonProcessingException e) {
            throw new BadInputException(uri + ": a run folder whose " + RunFolder.CONFIG + " or " + RunFolder.METRICS
                    + " is not valid JSON: " + e.getOriginalMessage());
        }
        Double batch = Records.number(config.get(TrainConfig.BATCH_SIZE.name()));
        if (batch == null || batch < 1) {
            throw new BadInputException(uri + ": " + RunFolder.CONFIG + " records no batch-size, so images seen "
                    + "cannot be counted");
        }
        // the Spark engine logs its topology in every record; a single-JVM run trains one batch per step
        Map<String, Object> spark = records.stream().filter(r -> r.containsKey(RunKeys.WORKERS)).reduce((a, b) -> b)
                .orElse(null);
        int workers = spark == null ? 1 : Records.number(spark, RunKeys.WORKERS).intValue();
        String engine = spark == null ? "single JVM"
                : workers + " workers, averaging every " + text(spark.get(RunKeys.AVERAGING_FREQUENCY)) + " steps";
        String name = folder.root().getName();
        String preset = TrainConfig.PRESET.name();
        String label = name + " (" + (config.containsKey(preset) ? text(config.get(preset)) + ", " : "") + engine + ")";
        List<Records.SampleGrid> grids = Records.sampleGrids(folder);
        return new Run(folder, label, Html.PALETTE[index % Html.PALETTE.length], config, records, workers,
                batch.longValue(), folder.exists(RunReport.FILE), grids.isEmpty() ? null : grids.get(grids.size() - 1));
    }

    /** The page for {@code runs}; links are relative to {@code outputFolder} where the runs lie inside it. */
    static String html(List<Run> runs, Path outputFolder) {
        double longest = runs.stream().flatMap(r -> r.records().stream())
                .mapToDouble(r -> finiteOr(Records.number(r, RunKeys.ELAPSED_SEC), 0)).max().orElse(0);
        TimeUnit time = TimeUnit.of(longest);
        StringBuilder sb = Html.page(runs.size() + " runs compared · sparkgan", STYLE);
        sb.append("<header>\n<h1>").append(runs.size()).append(runs.size() == 1 ? " training run" : " training runs")
                .append(" compared</h1>\n<p class=\"where\">written ")
                .append(Html.escape(Instant.now().truncatedTo(ChronoUnit.SECONDS))).append("</p>\n")
                .append("<nav><a href=\"#runs\">Runs</a> · <a href=\"#swd\">SWD</a> · ")
                .append("<a href=\"#losses\">Losses</a> · <a href=\"#accuracy\">D accuracy</a></nav>\n</header>\n");
        table(sb, runs, outputFolder);

        sb.append("<section id=\"swd\">\n<h2>Sliced Wasserstein distance</h2>\n");
        pair(sb, runs, time, "SWD ×1000", "SWD ×1000", RunKeys.SWD_AVG, true, Double.NaN,
                "Mean over the Laplacian-pyramid levels of the distance between generated and training images (lower "
                        + "is better); dashed: the real-vs-real floor, the best a generator can be expected to reach, "
                        + "in the run's colour, or grey where runs share it.");
        sb.append("</section>\n<section id=\"losses\">\n<h2>Losses</h2>\n");
        pair(sb, runs, time, "D loss", "loss", RunKeys.D_LOSS, false, Double.NaN,
                "D's binary cross-entropy at each logged step; near ln 2 ≈ 0.69 with G's is a balanced game.");
        pair(sb, runs, time, "G loss", "loss", RunKeys.G_LOSS, false, Double.NaN,
                "G's binary cross-entropy at each logged step; climbing while D's falls to 0 means D is winning.");
        sb.append("</section>\n<section id=\"accuracy\">\n<h2>D accuracy</h2>\n");
        pair(sb, runs, time, "D accuracy on real images", "accuracy", RunKeys.D_ACC_REAL, false, 0.5,
                "How often D calls a real image real, before its update; the dashed line is chance.");
        pair(sb, runs, time, "D accuracy on generated images", "accuracy", RunKeys.D_ACC_FAKE, false, 0.5,
                "How often D calls a generated image generated, before its update; the dashed line is chance.");
        return sb.append("</section>\n").append(Html.END).toString();
    }

    private static void table(StringBuilder sb, List<Run> runs, Path outputFolder) {
        sb.append("<section id=\"runs\">\n<h2>Runs</h2>\n<table class=\"runs\">\n<tr><th>run</th><th>step</th>")
                .append("<th>images seen</th><th>wall time</th><th>s/step</th><th>SWD ×1000 at the last eval</th>")
                .append("<th>report</th><th>newest samples</th></tr>\n");
        for (Run run : runs) {
            List<Map<String, Object>> training = run.training();
            Map<String, Object> last = training.isEmpty() ? null : training.get(training.size() - 1);
            sb.append("<tr><td><span class=\"swatch\" style=\"background:").append(run.colour()).append("\"></span>")
                    .append(Html.escape(run.label())).append("<div class=\"where\">")
                    .append(Html.escape(run.folder().root())).append("</div></td>");
            if (last == null) {
                sb.append("<td colspan=\"4\">no training steps logged yet</td>");
            } else {
                long step = Records.step(last);
                Object total = run.config().get(TrainConfig.STEPS.name());
                Double elapsed = Records.number(last, RunKeys.ELAPSED_SEC);
                sb.append("<td>").append(step).append(total == null ? "" : " of " + Html.escape(text(total)))
                        .append("</td><td>").append(Records.format(run.imagesSeen(step))).append("<div class=\"note\">")
                        .append(run.batchSize()).append(" × ").append(run.workers()).append(run.workers() == 1
                                ? " worker" : " workers").append(" per step</div></td><td>")
                        .append(elapsed == null ? "–" : RunReport.duration(elapsed)).append("</td><td>")
                        .append(median(training, RunKeys.SEC_PER_STEP)).append("</td>");
            }
            Map<String, Object> eval = Records.latest(run.records(), RunKeys.SWD_AVG).orElse(null);
            sb.append("<td>").append(eval == null ? "no evaluation logged" : Records.format(Records.number(eval,
                    RunKeys.SWD_AVG)) + " at step " + Records.step(eval) + (eval.containsKey(RunKeys.SWD_FLOOR_AVG)
                    ? "<div class=\"note\">floor " + Records.format(Records.number(eval, RunKeys.SWD_FLOOR_AVG))
                    + "</div>" : "")).append("</td><td>");
            if (run.hasReport()) {
                sb.append("<a href=\"").append(Html.escape(link(run.folder().path(RunReport.FILE), outputFolder)))
                        .append("\">report.html</a>");
            } else {
                sb.append("none yet");
            }
            sb.append("</td><td>");
            if (run.newestSample() == null) {
                sb.append("none yet");
            } else {
                Html.image(sb, link(run.folder().path(run.newestSample().link()), outputFolder),
                        "newest samples of " + run.name());
                sb.append("<div class=\"note\">").append(Html.escape(run.newestSample().name())).append("</div>");
            }
            sb.append("</td></tr>\n");
        }
        sb.append("</table>\n<p class=\"note\">Images seen = step × batch size × workers: on Spark every worker ")
                .append("trains a batch per step. s/step is the median over the logged intervals.</p>\n</section>\n");
    }

    /** The metric by images seen and by wall time, side by side. */
    private static void pair(StringBuilder sb, List<Run> runs, TimeUnit time, String metric, String yLabel, String key,
                             boolean floors, double chance, String caption) {
        sb.append("<div class=\"pair\">\n");
        figure(sb, chart(runs, metric + " by images seen", "images seen", yLabel, key, floors, chance,
                (run, r) -> run.imagesSeen(Records.step(r))), caption);
        figure(sb, chart(runs, metric + " by wall time", time.label(), yLabel, key, floors, chance,
                (run, r) -> finiteOr(Records.number(r, RunKeys.ELAPSED_SEC), Double.NaN) / time.seconds()), caption);
        sb.append("</div>\n");
    }

    @FunctionalInterface
    private interface XOf {
        double of(Run run, Map<String, Object> record);
    }

    private static SvgChart chart(List<Run> runs, String title, String xLabel, String yLabel, String key,
                                  boolean floors, double chance, XOf x) {
        SvgChart chart = new SvgChart(title, xLabel, yLabel);
        if (!Double.isNaN(chance)) chart.yAtLeast(1);
        double xLo = Double.POSITIVE_INFINITY, xHi = Double.NEGATIVE_INFINITY;
        List<Floor> runFloors = new ArrayList<>();
        for (Run run : runs) {
            List<double[]> line = points(run, key, x);
            chart.add(new SvgChart.Series(run.label(), run.colour(), false, line));
            for (double[] p : line) {
                xLo = Math.min(xLo, p[0]);
                xHi = Math.max(xHi, p[0]);
            }
            if (floors && !line.isEmpty()) {
                runFloors.add(new Floor(run, Records.floorLine(points(run, RunKeys.SWD_FLOOR_AVG, x), line)));
            }
        }
        addFloors(chart, runFloors);
        if (!Double.isNaN(chance) && xLo <= xHi) {
            chart.add(new SvgChart.Series("chance (" + Records.format(chance) + ")", Html.GREY, true,
                    List.of(new double[]{xLo, chance}, new double[]{xHi, chance})));
        }
        return chart;
    }

    /**
     * Each run's floor dashed in its colour; runs whose floor is one and the same value throughout (the same reference
     * images and seed) share one grey line across their x range, so eight runs on one data set add one legend entry.
     */
    private static void addFloors(SvgChart chart, List<Floor> floors) {
        // keyed by the floor's one value, or by a key of its own where a run's floor moves; in the order runs come
        Map<Object, List<Floor>> groups = new LinkedHashMap<>();
        for (Floor f : floors) {
            Double value = constant(f.line());
            groups.computeIfAbsent(value != null ? value : new Object(), k -> new ArrayList<>()).add(f);
        }
        groups.forEach((key, sharing) -> {
            if (sharing.size() == 1) {
                Run run = sharing.get(0).run();
                chart.add(new SvgChart.Series(run.name() + " floor", run.colour(), true, sharing.get(0).line()));
                return;
            }
            double value = (Double) key, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (Floor f : sharing) {
                for (double[] p : f.line()) {
                    lo = Math.min(lo, p[0]);
                    hi = Math.max(hi, p[0]);
                }
            }
            chart.add(new SvgChart.Series("floor " + Records.format(value) + " (" + sharing.size() + " runs)",
                    Html.GREY, true, List.of(new double[]{lo, value}, new double[]{hi, value})));
        });
    }

    /** A run's SWD floor line, as the chart's x axis places it. */
    private record Floor(Run run, List<double[]> line) {}

    /** The one finite value every point of {@code line} has, or null. */
    private static Double constant(List<double[]> line) {
        if (line.isEmpty() || !Double.isFinite(line.get(0)[1])) return null;
        double v = line.get(0)[1];
        for (double[] p : line) if (p[1] != v) return null;
        return v;
    }

    /** (x, value) of every record of the run that has the value and an x, non-finite values included. */
    private static List<double[]> points(Run run, String key, XOf x) {
        return Records.points(run.records(), key, r -> x.of(run, r));
    }

    private static void figure(StringBuilder sb, SvgChart chart, String caption) {
        Html.figure(sb, chart.isEmpty() ? "<p class=\"note\">No run logged this yet.</p>\n" : chart.svg(), caption);
    }

    /**
     * A link from a page in {@code from} to {@code target}: relative where the target lies inside that folder on the
     * same file system (the page and the runs then move together), absolute otherwise.
     */
    static String link(Path target, Path from) {
        URI t = target.toUri(), f = from.toUri();
        String folder = f.getPath().endsWith("/") ? f.getPath() : f.getPath() + "/";
        if (Objects.equals(t.getScheme(), f.getScheme()) && Objects.equals(t.getAuthority(), f.getAuthority())
                && t.getPath().startsWith(folder)) {
            String relative = t.getPath().substring(folder.length());
            try {
                String encoded = new URI(null, null, relative, null).getRawPath();
                // a first segment with a colon would read as a scheme
                return encoded.split("/", 2)[0].contains(":") ? "./" + encoded : encoded;
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(relative, e);
            }
        }
        // a browser opens local files by file:/// URIs
        return "file".equals(t.getScheme()) ? java.nio.file.Path.of(t).toUri().toASCIIString() : t.toASCIIString();
    }

    private static String median(List<Map<String, Object>> records, String key) {
        double[] values = records.stream().map(r -> Records.number(r, key)).filter(v -> v != null && Double.isFinite(v))
                .mapToDouble(Double::doubleValue).sorted().toArray();
        if (values.length == 0) return "–";
        int mid = values.length / 2;
        return Records.format(values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2);
    }

    private static double finiteOr(Double v, double otherwise) {
        return v == null || !Double.isFinite(v) ? otherwise : v;
    }

    /** Numbers as the report writes them (2, not 2.0), anything else as it is. */
    private static String text(Object v) {
        return v instanceof Number n ? Records.format(n.doubleValue()) : String.valueOf(v);
    }

    /** The comparison's own rules, after {@link Html}'s. */
    private static final String STYLE = """
            main { max-width: 1520px; }
            .where { font-size: 12.5px; }
            th { font-weight: 600; color: #444; }
            .swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; margin-right: 6px;
                      vertical-align: -2px; }
            table.runs img { display: block; width: 132px; image-rendering: pixelated; border-radius: 2px; }
            .note { font-size: 12.5px; }
            .pair { display: flex; flex-wrap: wrap; gap: 16px; }
            .pair figure { flex: 1 1 600px; margin: 12px 0; min-width: 0; }
            svg.chart { width: 100%; }
            """;
}

package org.sparkgan.report;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.cli.MainTest;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.eval.TrainingMonitor;
import org.sparkgan.io.RunFolder;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;
import org.sparkgan.train.ComputeThreads;
import org.sparkgan.train.RealImages;
import org.sparkgan.train.TinyRuns;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;
import org.sparkgan.train.spark.Shards;
import org.sparkgan.train.spark.SparkEngine;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code report --runs}: three real run folders (a single-JVM run, a two-worker Spark run, and one whose metrics are
 * written with known values) on one page: one curve per run in every chart, points inside the plots, images seen
 * counted per worker, links that resolve, a page Chromium renders; bad input is one line and writes nothing.
 */
class RunComparisonTest {
    static final Pattern LINK = Pattern.compile("(?:href|src)=\"([^\"]*)\"");
    static final List<String> METRICS = List.of("SWD ×1000", "D loss", "G loss", "D accuracy on real images",
            "D accuracy on generated images");

    @TempDir
    static Path base;
    static Path runs;
    /** The runs in page order: folder names and the labels their legends give. */
    static final List<String> NAMES = List.of("alpha run", "beta", "gamma");
    static final List<String> LABELS = List.of("alpha run (small, single JVM)",
            "beta (small, 2 workers, averaging every 2 steps)", "gamma (seed, 3 workers, averaging every 2 steps)");

    @BeforeAll
    static void threeRuns() throws Exception {
        runs = Files.createDirectories(base.resolve("runs"));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        INDArray frogs = TinyRuns.frogs(200);
        TrainConfig local = TinyRuns.config("steps", "4", "log-every", "1", "sample-every", "2",
                "checkpoint-every", "2", "eval-every", "2", "eval-images", "32");
        RunFolder alpha = folder(NAMES.get(0));
        Trainer.local(local, new RealImages(frogs, local.batchSize(), local.seed()), alpha, Map.of(), quiet)
                .observe(monitor(frogs, local)).observe(new ReportObserver(alpha)).train(Trainer.Start.NEW);

        String parquet = base.resolve("frogs").toString();
        PrepJob.run(TestSpark.session(), new PrepOptions(TestData.frogs("test").toString(), parquet,
                CifarClasses.parseList("frog"), CifarParquet.SPLITS, "train", false));
        Dataset<Row> images = CifarParquet.selectImages(TestSpark.session(), parquet, "train", "frog");
        TrainConfig spark = TinyRuns.config("steps", "4", "log-every", "2", "sample-every", "2",
                "checkpoint-every", "2", "eval-every", "2", "eval-images", "32", "workers", "2",
                "averaging-frequency", "2");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        RunFolder beta = folder(NAMES.get(1));
        try {
            new Trainer(spark, frogs.get(NDArrayIndex.interval(0, 64)),
                    state -> new SparkEngine(sc, Shards.of(images, 2), spark, state), beta, Map.of(), quiet)
                    .observe(monitor(frogs, spark)).observe(new ReportObserver(beta)).train(Trainer.Start.NEW);
        } finally {
            ComputeThreads.pin(local.threads()); // local mode: the tasks pinned this JVM's ND4J
        }

        // a run folder as a 3-worker seed run of batch 4 would leave it before its first checkpoint
        RunFolder gamma = folder(NAMES.get(2));
        gamma.writeJson(RunFolder.CONFIG, Map.of("config", Map.of("preset", "seed", "batch-size", 4, "steps", 6,
                "workers", 3, "averaging-frequency", 2), "provenance", Map.of()));
        List<Map<String, Object>> records = new ArrayList<>();
        for (int step = 2; step <= 6; step += 2) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("step", step);
            r.put("d_loss", 0.6 + 0.01 * step);
            r.put("g_loss", 0.9 - 0.02 * step);
            r.put("d_acc_real", 0.5 + 0.05 * step);
            r.put("d_acc_fake", 0.4);
            r.put("sec_per_step", step == 4 ? 1.5 : 0.5);
            r.put("elapsed_sec", 1.0 * step);
            r.put("workers", 3);
            r.put("averaging_frequency", 2);
            r.put("swd_avg", 300.0 / step);
            r.put("swd_floor_avg", 20.0 + step);
            records.add(r);
        }
        gamma.writeMetrics(records);
    }

    static RunFolder folder(String name) throws Exception {
        return RunFolder.at(runs.resolve(name).toString(), new Configuration());
    }

    static TrainingMonitor monitor(INDArray frogs, TrainConfig c) {
        return new TrainingMonitor(frogs.get(NDArrayIndex.interval(0, 32)), frogs.get(NDArrayIndex.interval(32, 64)),
                c.evalEvery(), c.seed());
    }

    static MainTest.Result report(Path output, String... runNames) {
        List<String> args = new ArrayList<>(List.of("report", "--runs"));
        for (String name : runNames) args.add(runs.resolve(name).toString());
        args.addAll(List.of("--output", output.toString()));
        return MainTest.run(args.toArray(String[]::new));
    }

    static String page(Path output) throws Exception {
        MainTest.Result r = report(output, NAMES.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        assertTrue(r.out().contains("compared 3 runs in"), r.out());
        return Files.readString(output);
    }

    @Test
    void everyChartHasOneCurvePerRunInsideThePlot() throws Exception {
        String html = page(runs.resolve("compare.html"));
        assertFalse(html.contains("<script"), "no script");
        List<Document> charts = ReportPages.charts(html);
        List<String> expected = new ArrayList<>();
        for (String metric : METRICS) {
            expected.add(metric + " by images seen");
            expected.add(metric + " by wall time");
        }
        assertEquals(expected, charts.stream().map(d -> d.getDocumentElement().getAttribute("aria-label")).toList());
        for (Document chart : charts) {
            String title = chart.getDocumentElement().getAttribute("aria-label");
            ReportPages.assertPointsInsidePlot(chart);
            Map<String, Integer> solid = new HashMap<>(), dashed = new HashMap<>();
            NodeList lines = chart.getElementsByTagName("polyline");
            for (int i = 0; i < lines.getLength(); i++) {
                Element line = (Element) lines.item(i);
                Map<String, Integer> kind = line.hasAttribute("stroke-dasharray") ? dashed : solid;
                kind.merge(line.getAttribute("stroke"), 1, Integer::sum);
            }
            Map<String, Integer> onePerRun = new HashMap<>();
            for (int i = 0; i < NAMES.size(); i++) onePerRun.put(Html.PALETTE[i], 1);
            assertEquals(onePerRun, solid, title + ": one solid curve per run, in its colour");
            // alpha and beta share their floor (the same frogs and seed): one grey line; gamma's moves: its colour
            assertEquals(title.startsWith("SWD") ? Map.of(Html.GREY, 1, Html.PALETTE[2], 1)
                    : title.startsWith("D accuracy") ? Map.of(Html.GREY, 1) : Map.of(), dashed,
                    title + ": the SWD floors dashed, or the chance level");
            String text = chart.getDocumentElement().getTextContent();
            for (String label : LABELS) assertTrue(text.contains(label), title + ": the legend names " + label);
            if (title.startsWith("SWD")) {
                assertTrue(text.contains(" (2 runs)") && text.contains(NAMES.get(2) + " floor"), title + ": " + text);
            }
        }
    }

    /** A study of ten runs gets ten colours, none of them the grey of floors and chance lines. */
    @Test
    void tenRunsGetTenColours() {
        Set<String> colours = new HashSet<>(List.of(Html.PALETTE));
        assertEquals(Html.PALETTE.length, colours.size(), "distinct");
        assertTrue(colours.size() >= 10 && !colours.contains(Html.GREY), colours.toString());
    }

    /** The last point of each run's curve in the D loss chart by images seen lies where its images seen say. */
    @Test
    void imagesSeenCountEveryWorkersBatch() throws Exception {
        String html = page(runs.resolve("compare.html"));
        Document losses = ReportPages.charts(html).get(2);
        assertEquals("D loss by images seen", losses.getDocumentElement().getAttribute("aria-label"));
        Map<String, Double> lastX = new HashMap<>();
        NodeList lines = losses.getElementsByTagName("polyline");
        for (int i = 0; i < lines.getLength(); i++) {
            Element line = (Element) lines.item(i);
            String[] points = line.getAttribute("points").trim().split("\\s+");
            lastX.put(line.getAttribute("stroke"), Double.parseDouble(points[points.length - 1].split(",")[0]));
        }
        // 4 steps × 8 images × 1 worker, 4 × 8 × 2 and 6 × 4 × 3; on a linear axis ratios of differences hold
        double a = lastX.get(Html.PALETTE[0]), b = lastX.get(Html.PALETTE[1]),
                g = lastX.get(Html.PALETTE[2]);
        assertEquals((64.0 - 32) / (72 - 32), (b - a) / (g - a), 0.01);
        String table = html.substring(html.indexOf("<table class=\"runs\">"), html.indexOf("</table>"));
        for (String cell : List.of("<td>4 of 4</td><td>32<div class=\"note\">8 × 1 worker per step",
                "<td>4 of 4</td><td>64<div class=\"note\">8 × 2 workers per step",
                "<td>6 of 6</td><td>72<div class=\"note\">4 × 3 workers per step</div></td><td>6 s</td><td>0.5</td>"
                        + "<td>50 at step 6<div class=\"note\">floor 26</div>")) {
            assertTrue(table.contains(cell), "the table has " + cell + ":\n" + table);
        }
    }

    @Test
    void linksBesideTheRunsAreRelativeAndResolve() throws Exception {
        Path output = runs.resolve("compare.html");
        String html = page(output);
        Set<String> links = new HashSet<>();
        Matcher m = LINK.matcher(html);
        while (m.find()) {
            String link = m.group(1).replace("&amp;", "&");
            if (link.startsWith("#")) {
                assertTrue(html.contains("id=\"" + link.substring(1) + "\""), "no element for " + link);
                continue;
            }
            assertFalse(link.startsWith("/") || link.contains(":") || link.contains(".."), "not relative: " + link);
            Path file = runs.resolve(URLDecoder.decode(link, StandardCharsets.UTF_8));
            assertTrue(Files.isRegularFile(file), link + " resolves to no file");
            links.add(link);
        }
        assertEquals(Set.of("alpha%20run/report.html", "alpha%20run/samples/step-000004.png", "beta/report.html",
                "beta/samples/step-000004.png"), links);
        assertTrue(html.contains("none yet"), "gamma has neither a report nor samples, and says so");
        try (Stream<Path> files = Files.list(runs)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
                    "no temporary file or checksum left beside the page");
        }
    }

    @Test
    void linksFromElsewhereAreAbsoluteAndResolve() throws Exception {
        Path output = base.resolve("elsewhere/pages/compare.html");
        String html = page(output);
        Matcher m = LINK.matcher(html);
        Set<Path> files = new HashSet<>();
        while (m.find()) {
            String link = m.group(1);
            if (link.startsWith("#")) continue;
            assertTrue(link.startsWith("file:///"), "absolute: " + link);
            Path file = Path.of(URI.create(link));
            assertTrue(Files.isRegularFile(file), link + " resolves to no file");
            files.add(runs.relativize(file));
        }
        assertEquals(Set.of(Path.of("alpha run/report.html"), Path.of("alpha run/samples/step-000004.png"),
                Path.of("beta/report.html"), Path.of("beta/samples/step-000004.png")), files);
    }

    @Test
    void anExistingPageIsReplaced() throws Exception {
        Path output = base.resolve("replaced.html");
        Files.writeString(output, "old page");
        assertTrue(page(output).contains("3 training runs compared"));
    }

    @Test
    void badInputIsOneLineAndWritesNothing() throws Exception {
        Path notARun = Files.createDirectories(base.resolve("not-a-run"));
        Files.writeString(notARun.resolve("notes.txt"), "hello");
        Path output = base.resolve("bad/compare.html");
        Path folder = Files.createDirectories(base.resolve("a-folder"));
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of("--runs", notARun.toString(), "--output", output.toString()),
                "not a sparkgan run folder: it is a folder without Parquet files");
        cases.put(List.of("--runs", runs.resolve("alpha run").toString(), base.resolve("missing").toString(),
                "--output", output.toString()), "missing: no such run folder");
        cases.put(List.of("--runs", runs.resolve("alpha run/checkpoints/step-000004").toString(), "--output",
                output.toString()), "it is a checkpoint folder");
        cases.put(List.of("--output", output.toString()), "--runs is required");
        cases.put(List.of("--runs", "--output", output.toString()), "--runs needs at least one value");
        cases.put(List.of("--runs", runs.resolve("beta").toString()), "--output is required");
        cases.put(List.of("--runs", runs.resolve("beta").toString(), "--output", folder.toString()),
                "is a folder; --output names the HTML file to write");
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            List<String> args = new ArrayList<>(List.of("report"));
            args.addAll(c.getKey());
            MainTest.Result r = MainTest.run(args.toArray(String[]::new));
            assertEquals(2, r.status(), c.getKey() + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("sparkgan report: error: ") && r.err().contains(c.getValue()), r.err());
            assertFalse(Files.exists(output.getParent()), c.getKey() + ": nothing written");
            try (Stream<Path> left = Files.list(folder)) {
                assertEquals(0, left.count(), "nothing written into the folder given as --output");
            }
        }
    }

    @Test
    void helpExplainsTheOptions() {
        MainTest.Result r = MainTest.run("report", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("--runs URI...") && r.out().contains("--output FILE"), r.out());
        assertTrue(r.out().contains("images seen (step x batch size x workers"), r.out());
        assertTrue(MainTest.run("--help").out().contains("report    compare run folders"), "listed among the commands");
    }

    /** Fails, rather than skips, without Chromium: CI installs it with .ci/install-chromium.sh. */
    @Test
    void rendersInHeadlessChromium() throws Exception {
        Path output = runs.resolve("rendered.html");
        page(output);
        ReportPages.screenshot(output, base.resolve("compare.png"), 1400, 2000);
    }
}

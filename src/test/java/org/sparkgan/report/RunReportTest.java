package org.sparkgan.report;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.io.RunFolder;
import org.sparkgan.train.RealImages;
import org.sparkgan.train.TinyRuns;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;
import org.w3c.dom.Document;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * report.html of a real (tiny) training run, with SWD, diversity and a warning appended as the evaluation would
 * log them: links resolve, charts are well-formed SVG, text is escaped, and headless Chromium renders the page.
 */
class RunReportTest {
    /** A configuration value and a warning full of HTML's special characters. */
    static final String DATA = "frogs <b>\"&'</b>";
    static final String WARNING = "<script>alert(\"x\")</script> & more";

    @TempDir
    static Path base;
    static RunFolder run;
    static String html;

    @BeforeAll
    static void trainAndReport() throws Exception {
        run = RunFolder.at(base.resolve("run").toString(), new Configuration());
        TrainConfig config = TinyRuns.config("steps", "4", "log-every", "1", "sample-every", "2",
                "checkpoint-every", "2", "data", DATA);
        Trainer.local(config, new RealImages(TinyRuns.frogs(200), 8, 42), run,
                Map.of("data_uri", "test-frogs", "note", "<i>provenance</i>"),
                new PrintStream(new ByteArrayOutputStream())).train(Trainer.Start.NEW);

        List<Map<String, Object>> metrics = new ArrayList<>(run.readMetrics());
        for (long step : new long[]{2, 4}) {
            Map<String, Object> swd = new LinkedHashMap<>();
            swd.put("step", step);
            swd.put("swd_avg", 120.0 / step);
            swd.put("swd_avg_g", 140.0 / step);
            swd.put("swd_level32", 150.0 / step);
            swd.put("swd_level16", 90.0 / step);
            swd.put("swd_floor_avg", 12.5);
            swd.put("swd_images", 1000);
            swd.put("diversity", 40.0 - step);
            for (String channel : List.of("r", "g", "b")) {
                swd.put("grid_mean_" + channel, -0.5 + 0.1 * step);
                swd.put("real_mean_" + channel, -0.1);
            }
            metrics.add(swd);
        }
        metrics.get(3).put("warnings", List.of(WARNING));
        run.writeMetrics(metrics);
        RunReport.write(run);
        html = ReportPages.read(run);
    }

    @Test
    void everyLinkResolvesInsideTheRunFolder() throws Exception {
        List<String> files = ReportPages.assertLinksResolve(html, run);
        for (String png : List.of("samples/real.png", "samples/step-000002.png", "samples/step-000004.png")) {
            assertTrue(files.contains(png), png + " shown");
        }
        assertFalse(html.contains("base64"), "images are linked, not embedded");
        assertFalse(html.contains("<script"), "no script");
    }

    @Test
    void chartsAreWellFormedInlineSvg() throws Exception {
        List<Document> charts = ReportPages.charts(html);
        List<String> titles = charts.stream().map(d -> d.getDocumentElement().getAttribute("aria-label")).toList();
        assertEquals(List.of("Losses", "D accuracy", "D's mean output", "Sliced Wasserstein distance (SWD ×1000)", "Sample diversity",
                "Colour", "Throughput", "Time per step"), titles);
        for (Document d : charts) {
            assertTrue(d.getElementsByTagName("polyline").getLength() > 0, "lines drawn");
            assertTrue(d.getElementsByTagName("text").getLength() > 10, "tick labels and legend");
            ReportPages.assertPointsInsidePlot(d); // the colour means are negative
        }
        String swd = html.substring(html.indexOf("aria-label=\"Sliced"));
        assertTrue(swd.contains("real-vs-real floor") && swd.contains("stroke-dasharray"), "the floor, dashed");
        assertTrue(swd.contains("G without its average"), "G's own SWD beside G_ema's");
    }

    @Test
    void textIsEscaped() {
        assertTrue(html.contains("frogs &lt;b&gt;&quot;&amp;&#39;&lt;/b&gt;"), "config value escaped");
        assertFalse(html.contains(DATA));
        assertTrue(html.contains("&lt;i&gt;provenance&lt;/i&gt;"), "provenance escaped");
        assertTrue(html.contains("step 4: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"),
                "the recorded warning, escaped, under Signals");
    }

    @Test
    void summaryAndConfigurationComeFromTheFolder() {
        assertTrue(html.contains("<tr><th>Step</th><td>4 of 4</td></tr>"), "the last logged step of the total");
        assertTrue(html.contains("<tr><th>Checkpoints</th><td>steps 2, 4</td></tr>"));
        assertTrue(html.contains("<code>d-lr</code></td><td><code>8.0E-4</code>"), "the configuration table");
        assertTrue(html.contains("D&#39;s RMSprop learning rate"), "with each key's meaning");
    }

    @Test
    void anEmptyFolderStillGetsAPage() throws Exception {
        RunFolder empty = RunFolder.at(base.resolve("empty").toString(), new Configuration());
        RunReport.write(empty);
        String page = ReportPages.read(empty);
        assertTrue(page.contains("No metrics logged yet") && page.contains("No sample grids yet")
                && page.contains("No configuration recorded"), page);
        assertEquals(List.of(), ReportPages.assertLinksResolve(page, empty));
    }

    @Test
    void sparseAndNonFiniteRecordsAreDrawnWithGaps() throws Exception {
        RunFolder sparse = RunFolder.at(base.resolve("sparse").toString(), new Configuration());
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("step", 10 * i);
            r.put("d_loss", i == 4 ? Double.NaN : 0.7); // written by Jackson as the string "NaN"
            if (i % 2 == 0) r.put("g_loss", 0.9);
            records.add(r);
        }
        sparse.writeMetrics(records);
        RunReport.write(sparse);
        String page = ReportPages.read(sparse);
        Document losses = ReportPages.charts(page).get(0);
        assertEquals(3, losses.getElementsByTagName("polyline").getLength(), "D's line broken at NaN, and G's");
        assertTrue(page.contains("step 40: non-finite loss (d_loss NaN"), "under Signals");
        assertTrue(page.contains("D loss: NaN at step 40"), "the NaN marked on the chart");
    }

    @Test
    void timelineSpreadKeepsFirstAndLast() {
        List<Integer> all = IntStream.range(0, 100).boxed().toList();
        List<Integer> shown = RunReport.spread(all, RunReport.TIMELINE);
        assertEquals(RunReport.TIMELINE, shown.size());
        assertEquals(0, shown.get(0));
        assertEquals(99, shown.get(shown.size() - 1));
        assertEquals(all.subList(0, 5), RunReport.spread(all.subList(0, 5), RunReport.TIMELINE));
    }

    /** Fails, rather than skips, without Chromium: CI installs it with .ci/install-chromium.sh. */
    @Test
    void rendersInHeadlessChromium() throws Exception {
        ReportPages.screenshot(base.resolve("run").resolve(RunReport.FILE), base.resolve("report.png"), 1000, 3000);
    }

    @Test
    void aSampleGridThatDoesNotLoadFailsTheRenderCheck() throws Exception {
        // the page without its samples folder: every grid's link is dead
        Path moved = Files.createDirectories(base.resolve("no-samples"));
        Path page = Files.copy(base.resolve("run").resolve(RunReport.FILE), moved.resolve(RunReport.FILE));
        AssertionError e = assertThrows(AssertionError.class, () -> ReportPages.assertEveryImageLoads(page));
        assertTrue(e.getMessage().contains("did not load"), e.getMessage());
    }
}

package org.sparkgan.report;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.io.RunFolder;
import org.sparkgan.testing.MiniHdfs;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report of a run folder on HDFS (an in-process MiniDFSCluster): read and written through Hadoop only. */
class RunReportHdfsTest {
    @TempDir
    static Path base;
    static MiniHdfs hdfs;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = MiniHdfs.start(base);
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) hdfs.close();
    }

    @Test
    void writesTheReportIntoAnHdfsRunFolder() throws Exception {
        RunFolder run = RunFolder.at(hdfs.uri() + "/runs/a", new Configuration());
        run.writeJson(RunFolder.CONFIG, Map.of("config", Map.of("preset", "small"), "provenance", Map.of("data_rows", 5)));
        List<Map<String, Object>> records = new ArrayList<>();
        for (long step = 1; step <= 3; step++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("step", step);
            r.put("d_loss", 0.7);
            r.put("g_loss", 0.8);
            records.add(r);
        }
        run.writeMetrics(records);
        for (String name : List.of("real.png", "step-000002.png", "step-000003.png", ".step-000004.png.tmp-1")) {
            run.write(RunFolder.SAMPLES + "/" + name, png());
        }

        RunReport.write(run);
        String html = ReportPages.read(run);
        assertEquals(List.of("samples/real.png", "samples/real.png", "samples/step-000003.png",
                "samples/step-000003.png", "samples/step-000002.png", "samples/step-000002.png",
                "samples/step-000003.png", "samples/step-000003.png"), ReportPages.assertLinksResolve(html, run),
                "real and latest, then the time line; a half-written grid is not shown");
        assertTrue(html.contains("<tr><th>Step</th><td>3</td></tr>"), "no total without config steps");
    }

    private static byte[] png() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(18, 18, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }
}

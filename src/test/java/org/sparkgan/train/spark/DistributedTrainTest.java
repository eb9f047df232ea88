package org.sparkgan.train.spark;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.cli.MainTest;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.io.RunFolder;
import org.sparkgan.testing.MiniHdfs;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `train --master local[2]` end to end on real frogs, with the run folder on local disk and on HDFS, and resume. */
class DistributedTrainTest {
    @TempDir
    static Path dir;
    static String frogs;
    static MiniHdfs hdfs;

    @BeforeAll
    static void setUp() throws Exception {
        frogs = dir.resolve("frogs").toString();
        PrepJob.run(TestSpark.session(), new PrepOptions(TestData.frogs("test").toString(), frogs,
                CifarClasses.parseList("frog"), CifarParquet.SPLITS, "train", false));
        hdfs = MiniHdfs.start(dir.resolve("hdfs"));
    }

    @AfterAll
    static void tearDown() {
        if (hdfs != null) hdfs.close();
    }

    static MainTest.Result train(String output, String... more) {
        TestSpark.session(); // the command reuses the test's local[2] session, and stops it
        List<String> args = new ArrayList<>(List.of("train", "--master", "local[2]", "--data", frogs, "--output", output,
                "--preset", "small", "--g-dense-channels", "8", "--g-filters", "8", "--d-filters", "8",
                "--batch-size", "8", "--threads", "1", "--workers", "2", "--averaging-frequency", "2",
                "--log-every", "2", "--sample-every", "4", "--checkpoint-every", "4"));
        args.addAll(List.of(more));
        return MainTest.run(args.toArray(String[]::new));
    }

    static void assertRunFolder(RunFolder run, int lastStep) throws Exception {
        assertTrue(run.exists(RunFolder.CONFIG) && run.exists("samples/real.png"));
        assertTrue(run.exists("samples/" + RunFolder.stepName(lastStep) + ".png"));
        assertTrue(run.exists("checkpoints/" + RunFolder.stepName(lastStep) + "/state.json"));
        List<Map<String, Object>> metrics = run.readMetrics();
        Map<String, Object> last = metrics.get(metrics.size() - 1);
        assertEquals(lastStep, ((Number) last.get("step")).intValue());
        assertEquals(2, ((List<?>) last.get("d_loss_per_worker")).size(), "per-worker losses");
        assertEquals(2, ((Number) last.get("workers")).intValue());
        assertTrue(last.containsKey("outside_compute_share") && last.containsKey("round_sec"));
    }

    @Test
    void trainsAndResumesOnLocalDisk() throws Exception {
        String output = dir.resolve("run").toString();
        MainTest.Result first = train(output, "--steps", "4");
        assertEquals(0, first.status(), first.err());
        // the start-up line names W, k and the images per round: 2 workers x 2 steps x batch 8
        assertTrue(first.out().contains("W = 2 workers averaging every k = 2 steps: 32 images per round")
                && first.out().contains("step 4/4"), first.out());
        RunFolder run = RunFolder.at(output, new Configuration());
        assertRunFolder(run, 4);

        MainTest.Result resumed = train(output, "--steps", "8", "--resume");
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.out().contains("resuming from"), resumed.out());
        assertRunFolder(run, 8);
        assertEquals(List.of(2, 4, 6, 8), run.readMetrics().stream().map(m -> ((Number) m.get("step")).intValue()).toList());
    }

    @Test
    void writesTheRunFolderToHdfs() throws Exception {
        String output = hdfs.uri() + "/runs/frogs";
        MainTest.Result r = train(output, "--steps", "4");
        assertEquals(0, r.status(), r.err());
        assertRunFolder(RunFolder.at(output, new Configuration()), 4);
        MainTest.Result resumed = train(output, "--steps", "6", "--resume");
        assertEquals(0, resumed.status(), resumed.err());
        assertRunFolder(RunFolder.at(output, new Configuration()), 6);
    }
}

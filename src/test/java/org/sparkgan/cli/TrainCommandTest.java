package org.sparkgan.cli;

import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.substring;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `sparkgan train` end to end: Parquet frogs in, run folder out, resume, and bad input refused before training. */
class TrainCommandTest {
    @TempDir
    static Path dir;
    static String frogs;

    @BeforeAll
    static void prepFrogs() throws Exception {
        frogs = dir.resolve("frogs").toString();
        PrepJob.run(TestSpark.session(), new PrepOptions(TestData.frogs("test").toString(), frogs,
                CifarClasses.parseList("frog"), CifarParquet.SPLITS, "train", false));
    }

    static MainTest.Result train(String output, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", frogs, "--output", output, "--preset", "small",
                "--g-dense-channels", "8", "--g-filters", "8", "--d-filters", "8", "--batch-size", "8", "--threads", "2",
                "--log-every", "1", "--sample-every", "2", "--checkpoint-every", "2"));
        args.addAll(List.of(more));
        return MainTest.run(args.toArray(String[]::new));
    }

    @Test
    void trainsThenResumes() throws Exception {
        String run = dir.resolve("run").toString();
        MainTest.Result first = train(run, "--steps", "2");
        assertEquals(0, first.status(), first.err());
        assertTrue(first.out().contains("step 2/2") && first.out().contains("ETA"), first.out());
        assertTrue(Files.exists(Path.of(run, "checkpoints/step-000002/state.json")));

        MainTest.Result refused = train(run, "--steps", "4");
        assertEquals(2, refused.status());
        assertTrue(refused.err().contains("--resume"), refused.err());

        // resume needs no model options: they come from the run folder
        MainTest.Result resumed = MainTest.run("train", "--output", run, "--resume", "--steps", "4");
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.out().contains("resuming from") && resumed.out().contains("step 4/4"), resumed.out());
        assertEquals(4, Files.readAllLines(Path.of(run, "metrics.jsonl")).size());
        assertTrue(Files.readString(Path.of(run, "config.json")).contains("\"steps\" : \"4\""));

        String configBefore = Files.readString(Path.of(run, "config.json"));
        MainTest.Result mismatch = MainTest.run("train", "--output", run, "--resume", "--steps", "6", "--preset", "seed");
        assertEquals(2, mismatch.status());
        assertTrue(mismatch.err().contains("different model or data"), mismatch.err());
        assertEquals(configBefore, Files.readString(Path.of(run, "config.json")), "a refused resume changes nothing");
    }

    @Test
    void aRunOfAnOlderPresetResumesWithItsOwnValues() throws Exception {
        // seed-plus used to keep the book's g-lr and the paper's full policy: such a run continues as it began
        String run = dir.resolve("older-seed-plus").toString();
        MainTest.Result first = MainTest.run("train", "--data", frogs, "--output", run, "--preset", "seed-plus",
                "--g-lr", "0.0004", "--augment", "color,translation,cutout", "--g-dense-channels", "8",
                "--g-filters", "8", "--d-filters", "8", "--batch-size", "8", "--threads", "2", "--steps", "2",
                "--checkpoint-every", "2");
        assertEquals(0, first.status(), first.err());

        MainTest.Result resumed = MainTest.run("train", "--output", run, "--resume", "--steps", "4");
        assertEquals(0, resumed.status(), resumed.err());
        String config = Files.readString(Path.of(run, "config.json"));
        assertTrue(config.contains("\"g-lr\" : \"4.0E-4\"") && config.contains("\"augment\" : \"color,translation,cutout\"")
                && config.contains("\"steps\" : \"4\""), config);
    }

    @Test
    void badDataIsRefusedBeforeTraining() throws Exception {
        SparkSession spark = TestSpark.session();
        String noColumns = dir.resolve("no-image").toString();
        spark.read().parquet(frogs).drop("image").write().mode(SaveMode.Overwrite).parquet(noColumns);
        String shortImages = dir.resolve("short").toString();
        spark.read().parquet(frogs).withColumn("image", substring(col("image"), 1, 100))
                .write().mode(SaveMode.Overwrite).partitionBy("split", "label_name").parquet(shortImages);

        assertRefused(train(dir.resolve("r1").toString(), "--data", noColumns), "no 'image' column");
        assertRefused(train(dir.resolve("r2").toString(), "--data", shortImages), "has 100 bytes, expected 3072");
        assertRefused(train(dir.resolve("r3").toString(), "--class", "cat"), "no train images of class cat");
        assertRefused(train(dir.resolve("r4").toString(), "--data", dir.resolve("missing").toString()), "not a readable Parquet");
        assertRefused(train(dir.resolve("r5").toString(), "--batch-size", "0"), "batch-size must be positive");
        assertRefused(train(dir.resolve("r6").toString(), "--g-lr", "-1"), "g-lr must be positive");
        assertRefused(train(dir.resolve("r7").toString(), "--preset", "huge"), "unknown preset");
        assertRefused(train(dir.resolve("r8").toString(), "--nonsense", "1"), "unknown option --nonsense");
        assertRefused(train(dir.resolve("r9").toString(), "--step", "1"), "unknown option --step (did you mean --steps?)");
        for (int i = 1; i <= 9; i++) assertTrue(Files.notExists(dir.resolve("r" + i)), "r" + i + " left behind");
        assertRefused(train(dir.resolve("diverging").toString(), "--d-lr", "1e30", "--g-lr", "1e30", "--steps", "20"),
                "gave up after 3 rollbacks");
    }

    /** Values, the class and the preset are checked before Spark starts. */
    @Test
    void badOptionsAreRefusedBeforeSparkStarts() {
        Map<List<String>, String> refusals = Map.of(
                List.of("--class", "frogg"), "no train images of class frogg (did you mean 'frog'?)",
                List.of("--batch-size", "0"), "batch-size must be positive",
                List.of("--preset", "smal"), "unknown preset 'smal' (did you mean 'small'?)");
        refusals.forEach((bad, message) -> {
            List<String> args = new ArrayList<>(List.of("--master", "local[2]"));
            args.addAll(bad);
            int starts = SparkSessions.starts();
            MainTest.Result r = train(dir.resolve("early").toString(), args.toArray(String[]::new));
            assertRefused(r, message);
            assertEquals(starts, SparkSessions.starts(), "Spark started before refusing " + bad);
        });
        assertTrue(Files.notExists(dir.resolve("early")));
    }

    static void assertRefused(MainTest.Result r, String message) {
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("sparkgan")).count(), r.err());
    }
}

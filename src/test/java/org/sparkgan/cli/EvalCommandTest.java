package org.sparkgan.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.eval.EvalFixtures;
import org.sparkgan.testing.TestSpark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `sparkgan eval` end to end: a tiny checkpoint against a Parquet data set of 40 train and 60 test frogs. */
class EvalCommandTest {
    @TempDir
    static Path dir;
    static String checkpoint, frogs;

    @BeforeAll
    static void prepare() throws Exception {
        checkpoint = EvalFixtures.tinyCheckpoint(dir);
        frogs = EvalFixtures.prepFrogs(dir);
    }

    static MainTest.Result eval(String... more) {
        List<String> args = new ArrayList<>(List.of("eval", "--checkpoint", checkpoint, "--reference", frogs));
        args.addAll(List.of(more));
        return MainTest.run(args.toArray(String[]::new));
    }

    @Test
    void printsOneLinePerValueWithTheFloor() {
        MainTest.Result r = eval("--images", "50");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(2, lines.size(), r.out());
        assertTrue(lines.get(0).matches("swd_generated_vs_test  N=50  level32=\\d+\\.\\d{4}  level16=\\d+\\.\\d{4}  "
                + "avg=\\d+\\.\\d{4}"), lines.get(0));
        // only 40 train frogs: the floor says so
        assertTrue(lines.get(1).matches("swd_train_vs_test \\(real-vs-real floor\\)  N=40  level32=\\S+  level16=\\S+  "
                + "avg=\\S+  \\(N cut from 50: only 40 train images\\)"), lines.get(1));
        assertTrue(r.err().contains("frog"), "the class defaults to the checkpoint's: " + r.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonIsOneObjectAndASeedRepeatsIt() throws Exception {
        MainTest.Result r = eval("--images", "30", "--seed", "5", "--json", "--class", "frog");
        assertEquals(0, r.status(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        Map<String, Object> json = new ObjectMapper().readValue(r.out(), Map.class);
        assertEquals("frog", json.get("class"));
        assertEquals(2, ((Number) json.get("step")).intValue());
        Map<String, Object> generated = (Map<String, Object>) json.get("swd_generated_vs_test");
        Map<String, Object> floor = (Map<String, Object>) json.get("swd_train_vs_test");
        assertEquals(30, generated.get("n"));
        assertEquals(30, floor.get("n"));
        assertEquals("real-vs-real floor", floor.get("note"));
        for (Map<String, Object> values : List.of(generated, floor)) {
            for (String key : List.of("level32", "level16", "avg")) {
                double v = ((Number) values.get(key)).doubleValue();
                assertTrue(Double.isFinite(v) && v > 0, key + " " + values);
            }
        }
        double untrained = ((Number) generated.get("avg")).doubleValue(), real = ((Number) floor.get("avg")).doubleValue();
        assertTrue(untrained > 2 * real, "a 2-step generator is far from real frogs: " + untrained + " vs " + real);

        MainTest.Result again = eval("--images", "30", "--seed", "5", "--json", "--class", "frog");
        assertEquals(r.out(), again.out(), "same seed, same values");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRunFolderScoresEachCheckpointOldestFirstAsItsOwnCheckpointWould() throws Exception {
        String run = EvalFixtures.tinyRun(dir.resolve("three-checkpoints"), 6, 2).root().toString();
        MainTest.Result r = MainTest.run("eval", "--checkpoint", run, "--reference", frogs, "--images", "20", "--json");
        assertEquals(0, r.status(), r.err());
        List<Map<String, Object>> scores = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) scores.add(new ObjectMapper().readValue(line, Map.class));
        assertEquals(List.of(2, 4, 6), scores.stream().map(s -> ((Number) s.get("step")).intValue()).toList());
        for (Map<String, Object> score : scores) {
            MainTest.Result alone = MainTest.run("eval", "--checkpoint", (String) score.get("checkpoint"),
                    "--reference", frogs, "--images", "20", "--json");
            assertEquals(new ObjectMapper().readValue(alone.out(), Map.class), score);
        }

        MainTest.Result text = MainTest.run("eval", "--checkpoint", run, "--reference", frogs, "--images", "20");
        List<String> lines = text.out().strip().lines().toList();
        assertEquals(4, lines.size(), text.out());
        assertTrue(lines.get(0).startsWith("swd_generated_vs_test step 2  N=20"), lines.get(0));
        assertTrue(lines.get(3).startsWith("swd_train_vs_test (real-vs-real floor)"), lines.get(3));

        Path empty = Files.createDirectories(dir.resolve("no-checkpoints/checkpoints"));
        MainTest.Result none = MainTest.run("eval", "--checkpoint", empty.getParent().toString(), "--reference", frogs);
        assertEquals(2, none.status());
        assertTrue(none.err().strip().endsWith("a run folder without a complete checkpoint"), none.err());
    }

    @Test
    void helpListsEveryOption() {
        MainTest.Result r = MainTest.run("eval", "--help");
        assertEquals(0, r.status());
        for (Option o : EvalCommand.OPTIONS) assertTrue(r.out().contains("--" + o.name()), o.name());
        assertTrue(r.out().contains("(default: 1000)") && r.out().contains("floor"), r.out());
        assertTrue(MainTest.run("--help").out().contains("  eval "));
    }

    @Test
    void badInputIsOneLine() {
        TrainCommandTest.assertRefused(eval("--images", "80"), "only 60 test images of class frog, fewer than --images 80");
        TrainCommandTest.assertRefused(eval("--class", "cat"), "no test images of class cat");
        // classes are the data set's own names (folders of images may hold any): toad is not among them
        TrainCommandTest.assertRefused(eval("--class", "toad"), "no class 'toad' in the data set (it has frog)");
        TrainCommandTest.assertRefused(eval("--split", "validation"), "unknown split 'validation'");
        TrainCommandTest.assertRefused(eval("--images", "0"), "--images must be a whole number >= 1");
        TrainCommandTest.assertRefused(MainTest.run("eval", "--reference", frogs),
                "give exactly one of --checkpoint and --generated");
        TrainCommandTest.assertRefused(eval("--generated", frogs, "--class", "frog"),
                "give exactly one of --checkpoint and --generated");
        TrainCommandTest.assertRefused(MainTest.run("eval", "--generated", frogs, "--reference", frogs),
                "--generated needs --class");
        TrainCommandTest.assertRefused(MainTest.run("eval", "--generated", frogs, "--reference", frogs, "--class",
                "frog", "--images", "101"), "only 100 images of class frog, fewer than --images 101");
    }

    @Test
    @SuppressWarnings("unchecked")
    void scoresImagesGeneratedElsewhere() throws Exception {
        // another implementation's samples arrive as CIFAR-10 records; here they are the 60 test frogs themselves,
        // under a name of no split, so prep files them as train
        Path records = Files.createDirectories(dir.resolve("elsewhere"));
        Files.write(records.resolve("samples.bin"), EvalFixtures.recordsOf(EvalFixtures.frogBytes("test", 60)));
        String made = dir.resolve("elsewhere-parquet").toString();
        PrepJob.run(TestSpark.session(), new PrepOptions(records.toString(), made, CifarClasses.parseList("frog"),
                CifarParquet.SPLITS, "train", false));

        MainTest.Result r = MainTest.run("eval", "--generated", made, "--reference", frogs, "--class", "frog",
                "--images", "40", "--json");
        assertEquals(0, r.status(), r.err());
        Map<String, Object> json = new ObjectMapper().readValue(r.out(), Map.class);
        assertEquals(made, json.get("generated"));
        assertTrue(!json.containsKey("checkpoint") && !json.containsKey("step"), r.out());
        double same = ((Number) ((Map<String, Object>) json.get("swd_generated_vs_test")).get("avg")).doubleValue();
        double floor = ((Number) ((Map<String, Object>) json.get("swd_train_vs_test")).get("avg")).doubleValue();
        assertEquals(0.0, same, 1e-9, "the test frogs against themselves");
        assertTrue(floor > 1, "train against test frogs is not 0: " + floor);
    }
}

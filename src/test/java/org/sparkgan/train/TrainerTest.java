package org.sparkgan.train;

import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.BadInputException;
import org.sparkgan.io.RunFolder;
import org.sparkgan.io.RunKeys;
import org.sparkgan.testing.RoundTrip;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The single-JVM trainer on real frogs: the run folder, exact resume, checkpoints and refusals. */
public class TrainerTest {
    static INDArray frogs;
    @TempDir
    Path dir;

    @BeforeAll
    static void loadFrogs() throws Exception {
        frogs = TinyRuns.frogs(200);
    }

    RunFolder folder(String name) throws Exception {
        return RunFolder.at(dir.resolve(name).toString(), new Configuration());
    }

    static Trainer.Summary train(TrainConfig c, RunFolder run, Trainer.Start start) throws Exception {
        Trainer t = Trainer.local(c, new RealImages(frogs, c.batchSize(), c.seed()), run,
                Map.of("data_uri", "test-frogs", "data_rows", 200), new PrintStream(new ByteArrayOutputStream()));
        return t.train(start);
    }

    @Test
    void writesEveryFileOfTheRunFolder() throws Exception {
        RunFolder run = folder("run");
        train(TinyRuns.config("steps", "6", "log-every", "2", "sample-every", "3", "checkpoint-every", "2",
                "keep-checkpoints", "2"), run, Trainer.Start.NEW);

        Map<String, Object> config = run.readJson(RunFolder.CONFIG);
        assertEquals("small", ((Map<?, ?>) config.get("config")).get("preset"));
        assertEquals(TrainConfig.PARAMS.size(), ((Map<?, ?>) config.get("config")).size(), "every key recorded");
        Map<?, ?> provenance = (Map<?, ?>) config.get("provenance");
        assertTrue(provenance.containsKey("started_at") && provenance.containsKey("data_rows"));

        List<Map<String, Object>> metrics = run.readMetrics();
        assertEquals(List.of(2, 4, 6), metrics.stream().map(m -> ((Number) m.get("step")).intValue()).toList());
        for (String key : List.of("step", "d_loss", "g_loss", "d_acc_real", "d_acc_fake", "d_out_real", "d_out_fake", "images_per_sec", "elapsed_sec")) {
            assertTrue(metrics.get(0).containsKey(key), key);
        }

        for (String png : List.of("real.png", "step-000003.png", "step-000006.png")) {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(run.read(RunFolder.SAMPLES + "/" + png)));
            assertEquals(8 * (32 + 2) + 2, image.getWidth(), png);
            assertEquals(image.getWidth(), image.getHeight(), png + " is an 8x8 grid");
        }
        assertEquals(List.of(4L, 6L), run.checkpointSteps(), "the newest 2 are kept, the last step is always saved");
        for (String part : List.of("generator.zip", "discriminator.zip", "fixed-latents.bin", "state.json")) {
            assertTrue(run.exists("checkpoints/step-000006/" + part), part);
        }
        try (var files = Files.list(dir.resolve("run/checkpoints"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".step")), "no temporary folder left");
        }
    }

    @Test
    void resumeIsBitExact() throws Exception {
        RunFolder straight = folder("straight"), resumed = folder("resumed");
        train(TinyRuns.config("steps", "4", "log-every", "1", "checkpoint-every", "2"), straight, Trainer.Start.NEW);
        train(TinyRuns.config("steps", "2", "log-every", "1", "checkpoint-every", "2"), resumed, Trainer.Start.NEW);
        // a later session: only the total changes
        train(TinyRuns.config("steps", "4", "log-every", "1", "checkpoint-every", "2"), resumed, Trainer.Start.RESUME);

        Checkpoint a = Checkpoint.load(straight.path("checkpoints/step-000004").toString(), new Configuration());
        Checkpoint b = Checkpoint.load(resumed.path("checkpoints/step-000004").toString(), new Configuration());
        assertSameState(a, b);
        assertEquals(4, resumed.readMetrics().size());
        assertSameMetrics(straight.readMetrics(), resumed.readMetrics());
    }

    @Test
    void resumeCutsMetricsBackToTheCheckpoint() throws Exception {
        RunFolder run = folder("run");
        train(TinyRuns.config("steps", "3", "log-every", "1", "checkpoint-every", "2", "keep-checkpoints", "5"), run,
                Trainer.Start.NEW);
        // pretend the run died after step 3 without its last checkpoint
        run.fileSystem().delete(run.path("checkpoints/step-000003"), true);
        train(TinyRuns.config("steps", "2", "log-every", "1", "checkpoint-every", "2"), run, Trainer.Start.RESUME);
        assertEquals(List.of(1, 2), run.readMetrics().stream().map(m -> ((Number) m.get("step")).intValue()).toList());
    }

    @Test
    void checkpointRoundTrip() throws Exception {
        RunFolder run = folder("run");
        train(TinyRuns.config("steps", "2", "checkpoint-every", "2"), run, Trainer.Start.NEW);
        Checkpoint original = Checkpoint.load(run.path("checkpoints/step-000002").toString(), new Configuration());
        RunFolder other = folder("other");
        RoundTrip.assertRoundTrip(original, c -> c.save(other, Map.of("next_step", 3), false),
                () -> Checkpoint.load(other.path("checkpoints/step-000002").toString(), new Configuration()),
                TrainerTest::assertSameState);
    }

    /**
     * Networks are rebuilt from the checkpoint's configuration and only their numbers are read, so a checkpoint whose
     * layer JSON this version cannot parse (one written before a layer's implementation changed) still loads.
     */
    @Test
    void checkpointLoadsWithoutItsLayerConfiguration() throws Exception {
        RunFolder run = folder("run");
        train(TinyRuns.config("steps", "2", "checkpoint-every", "2"), run, Trainer.Start.NEW);
        String checkpoint = run.path("checkpoints/step-000002").toString();
        Checkpoint original = Checkpoint.load(checkpoint, new Configuration());
        Path zip = Path.of(new URI(checkpoint)).resolve(Checkpoint.GENERATOR);
        Path rewritten = zip.resolveSibling("rewritten.zip");
        try (var in = new ZipInputStream(Files.newInputStream(zip));
             var out = new ZipOutputStream(Files.newOutputStream(rewritten))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(e.getName().equals("configuration.json")
                        ? "{\"confs\": \"not a layer list\", \"iterationCount\": 2}".getBytes() : in.readAllBytes());
            }
        }
        Files.move(rewritten, zip, StandardCopyOption.REPLACE_EXISTING);
        assertSameState(original, Checkpoint.load(checkpoint, new Configuration()));
    }

    @Test
    void configAndMetricsRoundTrip() throws Exception {
        TrainConfig config = TinyRuns.config("steps", "123", "d-lr", "0.001", "seed", "-5");
        RunFolder run = folder("run");
        // through config.json, as a resume reads it: every value must come back as the same typed value
        RoundTrip.assertRoundTrip(config, c -> run.writeJson("config.json", Map.of("config", c.values())),
                () -> TrainConfig.resolve(stringValues(run.readJson("config.json").get("config"))),
                (x, y) -> assertEquals(x, y));
        assertNotEquals(TinyRuns.config(), config, "the overrides are not the defaults");
        List<Map<String, Object>> metrics = List.of(Map.of("step", 1, "d_loss", 0.5), Map.of("step", 2, "d_loss", 0.25));
        RoundTrip.assertRoundTrip(metrics, run::writeMetrics, run::readMetrics, (x, y) -> assertEquals(x, y));
        Map<String, Object> json = Map.of("config", config.values());
        RoundTrip.assertRoundTrip(json, j -> run.writeJson("config.json", j), () -> run.readJson("config.json"),
                (x, y) -> assertEquals(x, y));
    }

    @Test
    void refusals() throws Exception {
        RunFolder run = folder("run");
        TrainConfig config = TinyRuns.config("steps", "2", "checkpoint-every", "2");
        assertTrue(message(() -> train(config, run, Trainer.Start.RESUME)).contains("nothing to resume"));
        train(config, run, Trainer.Start.NEW);
        assertTrue(message(() -> train(config, run, Trainer.Start.NEW)).contains("--resume"));
        String different = message(() -> train(TinyRuns.config("steps", "4", "g-filters", "16"), run, Trainer.Start.RESUME));
        assertTrue(different.contains("g-filters 8 (checkpoint) vs 16"), different);

        // a corrupt and an incomplete checkpoint
        Path generator = dir.resolve("run/checkpoints/step-000002/generator.zip");
        Files.write(generator, new byte[]{1, 2, 3});
        String corrupt = message(() -> train(TinyRuns.config("steps", "4"), run, Trainer.Start.RESUME));
        assertTrue(corrupt.contains("corrupt") && corrupt.contains("step-000002"), corrupt);
        Files.delete(generator);
        String incomplete = message(() -> train(TinyRuns.config("steps", "4"), run, Trainer.Start.RESUME));
        assertTrue(incomplete.contains("incomplete checkpoint (no generator.zip)"), incomplete);

        assertTrue(message(() -> TinyRuns.config("batch-size", "0")).contains("batch-size must be positive"));
        assertTrue(message(() -> TinyRuns.config("d-lr", "-0.1")).contains("d-lr must be positive"));
        assertTrue(message(() -> TinyRuns.config("reuse-fakes", "yes")).contains("reuse-fakes must be true or false"));
        assertTrue(message(() -> TinyRuns.config("preset", "huge")).contains("unknown preset 'huge'"));
        assertTrue(message(() -> TrainConfig.resolve(Map.of("bogus", "1"))).contains("unknown configuration key 'bogus'"));
        assertTrue(message(() -> new RealImages(frogs, 500, 1)).contains("fewer than one batch"));
    }

    @Test
    void stopRequestWritesACheckpoint() throws Exception {
        RunFolder run = folder("run");
        TrainConfig config = TinyRuns.config("steps", "1000", "log-every", "1", "checkpoint-every", "1000");
        Trainer trainer = Trainer.local(config, new RealImages(frogs, config.batchSize(), config.seed()), run,
                Map.of(), new PrintStream(new ByteArrayOutputStream()));
        Thread stopper = new Thread(() -> {
            try {
                while (!run.exists(RunFolder.METRICS)) Thread.sleep(20);
            } catch (Exception ignored) {
                // the assertions below tell
            }
            trainer.requestStop();
        });
        stopper.start();
        Trainer.Summary s = trainer.train(Trainer.Start.NEW);
        stopper.join();
        assertTrue(s.interrupted() && s.lastStep() < 1000, "stopped early at " + s.lastStep());
        assertEquals(List.of(s.lastStep()), run.checkpointSteps());
    }

    /**
     * A stop between checkpoint intervals (as the time limit makes) records its last step in metrics.jsonl, and its
     * checkpoint does not evict the regular ones; once the resumed run writes a newer checkpoint it is pruned.
     */
    @Test
    void aStopRecordsItsStepAndKeepsTheRegularCheckpoints() throws Exception {
        RunFolder run = folder("run");
        TrainConfig config = TinyRuns.config("steps", "8", "log-every", "3", "checkpoint-every", "2",
                "keep-checkpoints", "2");
        Trainer trainer = Trainer.local(config, new RealImages(frogs, config.batchSize(), config.seed()), run,
                Map.of(), new PrintStream(new ByteArrayOutputStream()));
        trainer.observe(new RunObserver() {
            @Override
            public Map<String, Object> afterRound(long before, long after, MultiLayerNetwork generator,
                                                  MultiLayerNetwork ema) {
                if (after == 5) trainer.requestStop();
                return Map.of();
            }
        });
        assertEquals(5, trainer.train(Trainer.Start.NEW).lastStep());
        List<Map<String, Object>> metrics = run.readMetrics();
        assertEquals(List.of(3L, 5L), metrics.stream().map(m -> ((Number) m.get("step")).longValue()).toList());
        assertEquals(List.of(2L, 4L, 5L), run.checkpointSteps(), "the stop checkpoint beside the two regular ones");

        train(config, run, Trainer.Start.RESUME);
        assertEquals(List.of(6L, 8L), run.checkpointSteps());
        assertEquals(List.of(3L, 5L, 6L, 8L), run.readMetrics().stream().map(m -> ((Number) m.get("step")).longValue()).toList());
    }

    @Test
    void etaCountsDownToATimeLimitThatComesFirst() {
        assertEquals("ETA 16m40s", ProgressWindow.eta(0, 1000, 1.0, Double.NaN));
        assertEquals("ETA 16m40s", ProgressWindow.eta(0, 1000, 1.0, 3600));
        assertEquals("ETA 2m00s (time limit, at about step 132; all 10000 steps: 2h46m)",
                ProgressWindow.eta(12, 10000, 1.0, 120));
    }

    @Test
    void discriminatorAccuracyMovesOffChanceOnSmallPreset() throws Exception {
        RunFolder run = folder("small");
        TrainConfig config = TrainConfig.resolve(Map.of("preset", "small", "steps", "12", "log-every", "1",
                "checkpoint-every", "12", "sample-every", "12", "threads", "2", "data", "test-frogs"));
        train(config, run, Trainer.Start.NEW);
        List<Map<String, Object>> m = run.readMetrics();
        double best = m.stream().mapToDouble(r -> (((Number) r.get("d_acc_real")).doubleValue()
                + ((Number) r.get("d_acc_fake")).doubleValue()) / 2).max().orElse(0);
        assertTrue(best >= 0.75, "D's accuracy never left chance: best " + best);
        assertTrue(run.exists("samples/step-000012.png") && run.exists("checkpoints/step-000012/state.json"));
    }

    static String message(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(BadInputException.class, e).getMessage();
    }

    private static Map<String, String> stringValues(Object json) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        ((Map<?, ?>) json).forEach((k, v) -> values.put((String) k, String.valueOf(v)));
        return values;
    }

    public static void assertSameState(Checkpoint a, Checkpoint b) {
        assertEquals(a.step(), b.step());
        assertEquals(a.config(), b.config());
        assertSameNetwork(a.generator(), b.generator(), "G");
        assertSameNetwork(a.discriminator(), b.discriminator(), "D");
        assertBitIdentical(a.fixedLatents(), b.fixedLatents(), "fixed latents");
    }

    /**
     * The same records with the same keys, and every value that is not a measured time ({@link RunKeys#TIMINGS}) equal
     * to the bit: doubles as parsed back from metrics.jsonl, which prints each one exactly.
     */
    public static void assertSameMetrics(List<Map<String, Object>> expected, List<Map<String, Object>> actual) {
        assertEquals(expected.size(), actual.size(), "records");
        for (int i = 0; i < expected.size(); i++) {
            Map<String, Object> a = expected.get(i), b = actual.get(i);
            assertEquals(a.keySet(), b.keySet(), "record " + i + "'s keys");
            for (String key : a.keySet()) {
                if (!RunKeys.TIMINGS.contains(key)) assertEquals(a.get(key), b.get(key), "record " + i + " " + key);
            }
        }
    }

    /** INDArray.equals allows a 1e-5 difference; these compare every bit. */
    public static void assertBitIdentical(INDArray a, INDArray b, String what) {
        assertTrue(java.util.Arrays.equals(a.shape(), b.shape()), what + " shape");
        float[] x = a.dup('c').data().asFloat(), y = b.dup('c').data().asFloat();
        double maxDiff = 0;
        int count = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] != y[i]) count++;
            maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
        }
        assertTrue(count == 0, what + " differ in " + count + " of " + x.length + " values, by up to " + maxDiff);
    }

    public static void assertSameNetwork(MultiLayerNetwork a, MultiLayerNetwork b, String name) {
        assertEquals(a.getLayerWiseConfigurations().toJson(), b.getLayerWiseConfigurations().toJson(), name + " configuration");
        assertBitIdentical(a.params(), b.params(), name + " parameters");
        assertBitIdentical(a.getUpdater().getStateViewArray(), b.getUpdater().getStateViewArray(), name + " RMSprop state");
        assertEquals(a.getIterationCount(), b.getIterationCount(), name + " iteration count");
        assertFalse(a.params() == b.params());
    }
}

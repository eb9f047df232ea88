package org.sparkgan.train;

import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.BadInputException;
import org.sparkgan.io.RunFolder;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkgan.train.TrainerTest.assertSameState;

/** What the trainer survives in one JVM: a diverged step, a checkpoint cut short, a restarted driver's folder. */
class FaultsTest {
    static INDArray frogs;
    @TempDir
    Path dir;

    @BeforeAll
    static void loadFrogs() throws Exception {
        frogs = TinyRuns.frogs(200);
    }

    private record Run(RunFolder folder, String out) {}

    private Run train(String name, TrainConfig c, Trainer.Start start, RunObserver... observers) throws Exception {
        RunFolder run = RunFolder.at(dir.resolve(name).toString(), new Configuration());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trainer t = Trainer.local(c, new RealImages(frogs, c.batchSize(), c.seed()), run, Map.of(), new PrintStream(out));
        for (RunObserver o : observers) t.observe(o);
        t.train(start);
        return new Run(run, out.toString());
    }

    private Checkpoint load(RunFolder run, long step) throws Exception {
        return Checkpoint.load(run.path("checkpoints/" + RunFolder.stepName(step)).toString(), new Configuration());
    }

    /** Puts a NaN into G once, after round {@code step}: the next round diverges. */
    private static RunObserver poisonAfter(long step) {
        return new RunObserver() {
            boolean poisoned;

            @Override
            public Map<String, Object> afterRound(long before, long after, MultiLayerNetwork generator,
                                                  MultiLayerNetwork ema) {
                if (after == step && !poisoned) {
                    generator.params().putScalar(0, Double.NaN);
                    poisoned = true;
                }
                return Map.of();
            }
        };
    }

    @Test
    void aDivergedRoundRollsBackToTheLastCheckpointOnANewStream() throws Exception {
        // no moving average: the observers then see G itself, which the poison must reach
        TrainConfig c = TinyRuns.config("steps", "6", "log-every", "1", "checkpoint-every", "2", "keep-checkpoints", "5",
                "ema-kimg", "0");
        Run poisoned = train("poisoned", c, Trainer.Start.NEW, poisonAfter(3));
        Run again = train("again", c, Trainer.Start.NEW, poisonAfter(3));
        Run clean = train("clean", c, Trainer.Start.NEW);

        List<Map<String, Object>> m = poisoned.folder().readMetrics();
        Map<String, Object> rollback = m.stream().filter(r -> r.containsKey("rollback")).findFirst().orElseThrow();
        assertEquals(2, ((Number) rollback.get("step")).intValue(), "back to the checkpoint of step 2");
        assertEquals(Map.of("failed_step", 4, "to_step", 2, "rollbacks", 1, "reason", "non-finite loss (d_loss NaN, g_loss NaN)"),
                rollback.get("rollback"));
        assertTrue(poisoned.out().contains("WARNING diverged in the round to step 4"), poisoned.out());
        // step 3 was cut with the rollback; the rollback record stands at step 2
        assertEquals(List.of(1L, 2L, 2L, 3L, 4L, 5L, 6L), m.stream().map(r -> ((Number) r.get("step")).longValue()).toList());

        for (long s : poisoned.folder().checkpointSteps()) {
            Checkpoint k = load(poisoned.folder(), s);
            assertTrue(Double.isFinite(k.generator().params().sumNumber().doubleValue())
                    && Double.isFinite(k.discriminator().params().sumNumber().doubleValue()), "finite checkpoint " + s);
            assertEquals(s > 2 ? 1 : 0, k.state().rollbacks(), "the stream is recorded at step " + s);
        }
        assertSameState(load(poisoned.folder(), 6), load(again.folder(), 6)); // a rollback is reproducible
        assertSameState(load(poisoned.folder(), 2), load(clean.folder(), 2));
        assertNotEquals(load(clean.folder(), 6).generator().params(), load(poisoned.folder(), 6).generator().params(),
                "after the rollback the steps draw from another stream");
    }

    @Test
    void aRunThatKeepsDivergingGivesUpAfterMaxRollbacks() throws Exception {
        TrainConfig c = TinyRuns.config("steps", "6", "checkpoint-every", "2", "d-lr", "1e30", "g-lr", "1e30",
                "max-rollbacks", "2");
        String message = assertThrows(BadInputException.class, () -> train("diverging", c, Trainer.Start.NEW)).getMessage();
        assertTrue(message.contains("gave up after 2 rollbacks (--max-rollbacks)") && !message.contains("\n"), message);
        RunFolder run = RunFolder.at(dir.resolve("diverging").toString(), new Configuration());
        assertEquals(List.of(), run.checkpointSteps(), "nothing non-finite was checkpointed");
        assertEquals(2, run.readMetrics().stream().filter(r -> r.containsKey("rollback")).count());

        TrainConfig stop = TinyRuns.config("steps", "6", "d-lr", "1e30", "g-lr", "1e30", "on-divergence", "stop");
        String stopped = assertThrows(BadInputException.class, () -> train("stop", stop, Trainer.Start.NEW)).getMessage();
        assertTrue(stopped.contains("--on-divergence stop"), stopped);
    }

    @Test
    void resumeSkipsACheckpointCutShort() throws Exception {
        TrainConfig c = TinyRuns.config("steps", "4", "checkpoint-every", "2");
        Run first = train("run", c, Trainer.Start.NEW);
        Path zip = dir.resolve("run/checkpoints/step-000004/generator.zip");
        byte[] bytes = Files.readAllBytes(zip);
        Files.write(zip, Arrays.copyOf(bytes, bytes.length / 2));

        Run resumed = train("run", TinyRuns.config("steps", "6", "checkpoint-every", "2"), Trainer.Start.RESUME);
        assertTrue(resumed.out().contains("WARNING skipping") && resumed.out().contains("step-000004"), resumed.out());
        assertTrue(resumed.out().contains("resuming from") && resumed.out().contains("step-000002"), resumed.out());
        Run straight = train("straight", TinyRuns.config("steps", "6", "checkpoint-every", "2"), Trainer.Start.NEW);
        assertSameState(load(straight.folder(), 6), load(first.folder(), 6));
    }

    @Test
    void resumeAutoStartsContinuesOrRefuses() throws Exception {
        TrainConfig c = TinyRuns.config("steps", "2", "checkpoint-every", "2");
        Run fresh = train("auto", c, Trainer.Start.AUTO);
        assertEquals(List.of(2L), fresh.folder().checkpointSteps(), "an absent folder: a new run");
        Run continued = train("auto", TinyRuns.config("steps", "4", "checkpoint-every", "2"), Trainer.Start.AUTO);
        assertTrue(continued.out().contains("resuming from"), continued.out());
        assertEquals(List.of(2L, 4L), continued.folder().checkpointSteps());

        Files.createDirectories(dir.resolve("not-a-run"));
        Files.writeString(dir.resolve("not-a-run/notes.txt"), "mine");
        String refused = assertThrows(BadInputException.class, () -> train("not-a-run", c, Trainer.Start.AUTO)).getMessage();
        assertTrue(refused.contains("not a sparkgan run folder"), refused);
        assertTrue(Files.exists(dir.resolve("not-a-run/notes.txt")), "left as it was");
    }
}

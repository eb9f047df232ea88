package org.sparkgan.train;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.io.RunFolder;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training runs with the paper's full DiffAugment policy: finite losses, and a bit-exact resume. */
class AugmentedTrainingTest {
    static INDArray frogs;
    @TempDir
    Path dir;

    @BeforeAll
    static void loadFrogs() throws Exception {
        frogs = TinyRuns.frogs(64);
    }

    static TrainConfig augmented(String... keyValues) {
        String[] all = new String[keyValues.length + 2];
        all[0] = "augment";
        all[1] = "color,translation,cutout";
        System.arraycopy(keyValues, 0, all, 2, keyValues.length);
        return TinyRuns.config(all);
    }

    RunFolder train(TrainConfig c, String name, Trainer.Start start) throws Exception {
        RunFolder run = RunFolder.at(dir.resolve(name).toString(), new Configuration());
        Trainer.local(c, new RealImages(frogs, c.batchSize(), c.seed()), run, Map.of(),
                new PrintStream(new ByteArrayOutputStream())).train(start);
        return run;
    }

    @Test
    void aShortRunWithTheFullPolicyHasFiniteLosses() throws Exception {
        RunFolder run = train(augmented("steps", "6", "log-every", "1", "checkpoint-every", "6"), "run",
                Trainer.Start.NEW);
        List<Map<String, Object>> metrics = run.readMetrics();
        assertEquals(6, metrics.size());
        for (Map<String, Object> m : metrics) {
            for (String key : List.of("d_loss", "g_loss")) {
                double loss = ((Number) m.get(key)).doubleValue();
                assertTrue(Double.isFinite(loss) && loss > 0, "step " + m.get("step") + " " + key + " " + loss);
            }
        }
        assertEquals("color,translation,cutout",
                ((Map<?, ?>) run.readJson(RunFolder.CONFIG).get("config")).get("augment"), "config.json records it");
    }

    @Test
    void resumeIsBitExactWithAugmentation() throws Exception {
        RunFolder straight = train(augmented("steps", "4", "log-every", "1", "checkpoint-every", "2"), "straight",
                Trainer.Start.NEW);
        train(augmented("steps", "2", "log-every", "1", "checkpoint-every", "2"), "resumed", Trainer.Start.NEW);
        RunFolder resumed = train(augmented("steps", "4", "log-every", "1", "checkpoint-every", "2"), "resumed",
                Trainer.Start.RESUME);

        TrainerTest.assertSameState(
                Checkpoint.load(straight.path("checkpoints/step-000004").toString(), new Configuration()),
                Checkpoint.load(resumed.path("checkpoints/step-000004").toString(), new Configuration()));
        List<Map<String, Object>> a = straight.readMetrics(), b = resumed.readMetrics();
        assertEquals(4, b.size());
        for (int i = 0; i < 4; i++) {
            for (String key : List.of("d_loss", "g_loss", "d_acc_real", "d_acc_fake")) {
                assertEquals(a.get(i).get(key), b.get(i).get(key), "step " + (i + 1) + " " + key);
            }
        }
    }
}

package org.sparkgan.eval;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.io.RunFolder;
import org.sparkgan.train.Checkpoint;
import org.sparkgan.train.RealImages;
import org.sparkgan.train.TinyRuns;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train --eval-every: SWD records and grid diversity land in metrics.jsonl at the right steps. */
class TrainingMonitorTest {
    @Test
    void swdAndDiversityInTheMetrics(@TempDir Path dir) throws Exception {
        INDArray frogs = TinyRuns.frogs(200);
        TrainConfig c = TinyRuns.config("steps", "4", "log-every", "1", "sample-every", "2", "eval-every", "2",
                "eval-images", "32");
        RunFolder run = RunFolder.at(dir.toString(), new Configuration());
        Trainer.local(c, new RealImages(frogs, c.batchSize(), c.seed()), run, Map.of(), new PrintStream(new ByteArrayOutputStream()))
                .observe(new TrainingMonitor(frogs.get(NDArrayIndex.interval(0, 32)),
                        frogs.get(NDArrayIndex.interval(32, 64)), c.evalEvery(), c.seed()))
                .train(Trainer.Start.NEW);
        List<Map<String, Object>> m = run.readMetrics();
        assertEquals(4, m.size());
        assertTrue(c.get(TrainConfig.EMA_KIMG) > 0, "the run keeps G_ema");
        for (int i = 0; i < 4; i++) {
            boolean even = (i + 1) % 2 == 0;
            assertEquals(even, m.get(i).containsKey("swd_avg"), "step " + (i + 1));
            assertEquals(even, m.get(i).containsKey("diversity"), "step " + (i + 1));
            assertEquals(even, m.get(i).containsKey("swd_avg_g"), "G's own SWD beside G_ema's, step " + (i + 1));
        }
        double swd = ((Number) m.get(1).get("swd_avg")).doubleValue();
        assertTrue(swd > 0 && Double.isFinite(swd));
        assertEquals(32, ((Number) m.get(1).get("swd_images")).intValue());
        assertTrue(m.get(1).containsKey("swd_level32") && m.get(1).containsKey("swd_level16"));
        double floor = ((Number) m.get(1).get("swd_floor_avg")).doubleValue();
        Checkpoint last = Checkpoint.load(run.path("checkpoints/step-000004").toString(), new Configuration());
        assertTrue(floor > 0 && floor < swd, "real-vs-real floor " + floor + " below an untrained G's " + swd);
        assertEquals(floor, ((Number) m.get(3).get("swd_floor_avg")).doubleValue(), "computed once");
        assertFalse(((Number) m.get(3).get("diversity")).doubleValue() <= 0);
        // swd_avg is G_ema's and swd_avg_g the raw G's: recomputed from the last checkpoint's two generators
        INDArray reference = frogs.get(NDArrayIndex.interval(0, 32));
        for (boolean ema : new boolean[]{true, false}) {
            INDArray generated = GeneratorSamples.generate(last.sampler(ema), GeneratorSamples.latents(c.seed(), 32,
                    c.model().latentDim()));
            assertEquals(SlicedWasserstein.distance(generated, reference, c.seed()).average(),
                    ((Number) m.get(3).get(ema ? "swd_avg" : "swd_avg_g")).doubleValue(), 1e-9, "G_ema " + ema);
        }
        // colour means: of the reference images, and of G's grid at that step (recomputed from its checkpoint)
        INDArray grid = last.sampler(true).output(last.fixedLatents(), false); // grids come from G_ema
        List<String> channels = List.of("r", "g", "b");
        for (int ch = 0; ch < 3; ch++) {
            double real = frogs.get(NDArrayIndex.interval(0, 32), NDArrayIndex.point(ch)).meanNumber().doubleValue();
            double generated = grid.get(NDArrayIndex.all(), NDArrayIndex.point(ch)).meanNumber().doubleValue();
            assertEquals(real, ((Number) m.get(3).get("real_mean_" + channels.get(ch))).doubleValue(), 1e-5, "real");
            assertEquals(generated, ((Number) m.get(3).get("grid_mean_" + channels.get(ch))).doubleValue(), 1e-5, "grid");
        }
    }
}

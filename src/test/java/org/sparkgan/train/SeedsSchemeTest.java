package org.sparkgan.train;

import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgan.io.RunFolder;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sparkgan.train.TrainerTest.assertBitIdentical;

/**
 * The random-number scheme a checkpoint records ({@code rng} in state.json) is what the code computes: a step is
 * re-derived here from that description alone — its real batch, latents, label noise and dropout seeds — and gives
 * bit-identical networks to the trainer's.
 */
class SeedsSchemeTest {
    @Test
    void aStepRederivedFromTheCheckpointsDescriptionMatchesTheTrainer(@TempDir Path dir) throws Exception {
        TrainConfig c = TinyRuns.config("steps", "2", "checkpoint-every", "1", "keep-checkpoints", "2", "seed", "7");
        INDArray frogs = TinyRuns.frogs(64);
        RunFolder run = RunFolder.at(dir.toString(), new Configuration());
        Trainer.local(c, new RealImages(frogs, c.batchSize(), c.seed()), run, Map.of(),
                new PrintStream(new ByteArrayOutputStream())).train(Trainer.Start.NEW);
        Checkpoint one = Checkpoint.load(run.path("checkpoints/step-000001").toString(), new Configuration());
        Checkpoint two = Checkpoint.load(run.path("checkpoints/step-000002").toString(), new Configuration());
        @SuppressWarnings("unchecked")
        Map<String, Object> rng = (Map<String, Object>) RunFolder.JSON.readValue(
                Files.readAllBytes(dir.resolve("checkpoints/step-000002/state.json")), Map.class).get("rng");
        @SuppressWarnings("unchecked")
        Map<String, Object> seeds = (Map<String, Object>) rng.get("seeds");
        Map<String, Long> vars = Map.of("seed", ((Number) rng.get("seed")).longValue(), "w", 0L, "step", 2L, "pass", 0L);

        // step 2 is batch 1 of pass 0: a Fisher-Yates permutation from the last index, seeded with "shuffle"
        int[] order = new int[64];
        for (int i = 0; i < 64; i++) order[i] = i;
        Random shuffle = new Random(resolve(seeds, "shuffle", vars));
        for (int i = 63; i > 0; i--) {
            int j = shuffle.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] rows = new int[c.batchSize()];
        for (int i = 0; i < rows.length; i++) rows[i] = order[c.batchSize() + i];
        INDArray reals = frogs.reshape('c', 64, 3 * 32 * 32).getRows(rows).reshape('c', rows.length, 3, 32, 32);

        MultiLayerNetwork g = one.generator(), d = one.discriminator();
        int batch = c.batchSize();
        Nd4j.getRandom().setSeed(resolve(seeds, "d_latents", vars));
        INDArray fakes = g.output(Nd4j.randn(DataType.FLOAT, batch, c.model().latentDim()), false);
        INDArray labels = Nd4j.concat(0, Nd4j.ones(DataType.FLOAT, batch, 1), Nd4j.zeros(DataType.FLOAT, batch, 1));
        Nd4j.getRandom().setSeed(resolve(seeds, "label_noise", vars));
        labels.addi(Nd4j.rand(DataType.FLOAT, 2L * batch, 1).muli(c.labelNoise()));
        Nd4j.getRandom().setSeed(resolve(seeds, "d_dropout", vars));
        d.fit(Nd4j.concat(0, fakes, reals), labels);
        Nd4j.getRandom().setSeed(resolve(seeds, "g_latents", vars));
        GanStep step = new GanStep(g, d, c);
        step.trainGenerator(step.generatorForward(Nd4j.randn(DataType.FLOAT, batch, c.model().latentDim())),
                resolve(seeds, "g_dropout", vars));

        assertBitIdentical(two.discriminator().params(), d.params(), "D after step 2");
        assertBitIdentical(two.generator().params(), g.params(), "G after step 2");
    }

    /** The initial weights' and fixed latents' seeds as described. */
    @Test
    void runSeedsAsDescribed() {
        Map<String, Object> scheme = Seeds.scheme(42);
        @SuppressWarnings("unchecked")
        Map<String, Object> seeds = (Map<String, Object>) scheme.get("seeds");
        Map<String, Long> vars = Map.of("seed", 42L, "w", 3L, "step", 9L, "pass", 1L);
        assertEquals(Seeds.generatorInit(42), resolve(seeds, "generator_init", vars));
        assertEquals(Seeds.discriminatorInit(42), resolve(seeds, "discriminator_init", vars));
        assertEquals(Seeds.fixedLatents(42), resolve(seeds, "fixed_latents", vars));
        assertEquals(Seeds.worker(42, 3), resolve(seeds, "worker", vars));
        assertEquals(Seeds.shuffle(Seeds.worker(42, 3), 1), resolve(seeds, "shuffle", vars));
        assertEquals(Seeds.draw(Seeds.step(Seeds.worker(42, 3), 9), Seeds.Draw.G_DROPOUT), resolve(seeds, "g_dropout", vars));
        Map<String, Long> afterRollbacks = Map.of("seed", 42L, "w", 3L, "step", 9L, "rollbacks", 2L);
        assertEquals(Seeds.draw(Seeds.step(Seeds.worker(42, 3), 9, 2), Seeds.Draw.D_LATENTS),
                resolve(seeds, "d_latents", afterRollbacks));
        assertEquals(42L, resolve(seeds, "worker", Map.of("seed", 42L, "w", 0L)), "worker 0 is the run seed");
    }

    /** {@code derive} as the description's text defines it, written out independently of {@link Seeds}. */
    @Test
    void deriveIsTheDescribedSplitMixChain() {
        assertEquals(described(42, 1, 2), Seeds.derive(42, 1, 2));
        assertEquals(described(-5), Seeds.derive(-5));
        assertEquals(described(Long.MAX_VALUE, 0x5EEDDA7AL, 3), Seeds.derive(Long.MAX_VALUE, 0x5EEDDA7AL, 3));
    }

    private static long described(long x, long... keys) {
        long h = splitMix(x ^ 0x9E3779B97F4A7C15L);
        for (long k : keys) h = splitMix(h ^ splitMix(k + 0x632BE59BD9B4E019L));
        return h;
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A named seed of the description: {@code [parent, key…]} is derive(parent, key…); keys may name variables. */
    @SuppressWarnings("unchecked")
    static long resolve(Map<String, Object> seeds, String name, Map<String, Long> vars) {
        if (name.equals("seed")) return vars.get("seed");
        Object spec = seeds.get(name);
        if (spec instanceof Map<?, ?> choice) { // keyed "VAR = 0" and "VAR > 0"
            String variable = ((String) choice.keySet().iterator().next()).split(" ")[0];
            spec = choice.get(variable + (vars.getOrDefault(variable, 0L) == 0 ? " = 0" : " > 0"));
        }
        if (spec instanceof String parent) return resolve(seeds, parent, vars);
        List<Object> parts = (List<Object>) spec;
        long[] keys = new long[parts.size() - 1];
        for (int i = 1; i < parts.size(); i++) {
            Object k = parts.get(i);
            keys[i - 1] = k instanceof Number n ? n.longValue() : vars.get((String) k);
        }
        return Seeds.derive(resolve(seeds, (String) parts.get(0), vars), keys);
    }
}

package org.sparkgan.train;

import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.io.RunFolder;
import org.sparkgan.model.Dcgan;
import org.sparkgan.testing.RoundTrip;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkgan.train.TrainerTest.assertBitIdentical;
import static org.sparkgan.train.TrainerTest.assertSameState;

/** G's moving average: its β and ramp-up, its arithmetic, its place in checkpoints and in a bit-exact resume. */
class GeneratorEmaTest {
    @TempDir
    Path dir;

    @Test
    void betaFromAHalfLifeInImagesWithARampUp() {
        // late in a run: half-life 10,000 images, 20 images per update
        assertEquals(Math.pow(0.5, 20 / 10_000.0), GeneratorEma.beta(10_000, 1_000_000, 20), 1e-15);
        assertEquals(0.99861, GeneratorEma.beta(10_000, 1_000_000, 20), 1e-5);
        // early: the half-life is at most 5% of the images seen (100,000 seen: 5,000 images)
        assertEquals(Math.pow(0.5, 20 / 5_000.0), GeneratorEma.beta(10_000, 100_000, 20), 1e-15);
        // the first update: 20 images seen, half-life 1 image: G_ema is all but G
        assertEquals(Math.pow(0.5, 20), GeneratorEma.beta(10_000, 20, 20), 1e-18);
        // on Spark a round of 2 workers x 4 steps x 20 images is one update of 160 images
        assertEquals(Math.pow(0.5, 160 / 10_000.0), GeneratorEma.beta(10_000, 1_000_000, 160), 1e-15);
        assertEquals(0, GeneratorEma.beta(0, 1_000_000, 20), "no average");
    }

    @Test
    void updateIsTheWeightedMeanOfTheParameters() {
        TrainConfig c = TinyRuns.config();
        MultiLayerNetwork g = Dcgan.generator(c.model(), c.optimizer(), 1), other = Dcgan.generator(c.model(), c.optimizer(), 2);
        MultiLayerNetwork ema = GeneratorEma.startingAt(g);
        assertBitIdentical(g.params(), ema.params(), "starts at G");
        INDArray before = ema.params().dup();
        GeneratorEma.update(ema, other, 0.9);
        for (long i = 0; i < before.length(); i += 997) {
            double expected = 0.9 * before.getDouble(i) + 0.1 * other.params().getDouble(i);
            assertEquals(expected, ema.params().getDouble(i), 1e-6, "parameter " + i);
        }
        assertBitIdentical(before, g.params(), "G itself is untouched");
    }

    @Test
    void checkpointsHoldTheAverageAndResumeIsBitExactWithAugmentationOn() throws Exception {
        INDArray frogs = TinyRuns.frogs(64);
        TrainConfig straight = TinyRuns.config("steps", "4", "checkpoint-every", "2", "keep-checkpoints", "3",
                "augment", "color,translation,cutout", "ema-kimg", "0.5");
        train(straight, "straight", frogs, Trainer.Start.NEW);
        train(TinyRuns.config("steps", "2", "checkpoint-every", "2", "augment", "color,translation,cutout",
                "ema-kimg", "0.5"), "resumed", frogs, Trainer.Start.NEW);
        train(straight, "resumed", frogs, Trainer.Start.RESUME);

        Checkpoint a = load("straight", 4), b = load("resumed", 4);
        assertSameState(a, b);
        assertBitIdentical(a.state().generatorEma().params(), b.state().generatorEma().params(), "G_ema after a resume");
        assertNotEquals(a.generator().params(), a.state().generatorEma().params(), "the average is not G");
        assertTrue(Files.exists(dir.resolve("straight/samples/step-000004-raw.png")), "G's own grid beside G_ema's");

        RunFolder other = RunFolder.at(dir.resolve("copy").toString(), new Configuration());
        RoundTrip.assertRoundTrip(a, c -> c.save(other, Map.of("next_step", 5), false),
                () -> Checkpoint.load(other.path("checkpoints/step-000004").toString(), new Configuration()),
                (x, y) -> assertBitIdentical(x.state().generatorEma().params(), y.state().generatorEma().params(), "G_ema"));

        train(TinyRuns.config("steps", "2", "ema-kimg", "0"), "plain", frogs, Trainer.Start.NEW);
        assertNull(load("plain", 2).state().generatorEma(), "ema-kimg 0: no average");
        assertTrue(Files.notExists(dir.resolve("plain/samples/step-000002-raw.png")));
    }

    private void train(TrainConfig c, String name, INDArray frogs, Trainer.Start start) throws Exception {
        RunFolder run = RunFolder.at(dir.resolve(name).toString(), new Configuration());
        Trainer.local(c, new RealImages(frogs, c.batchSize(), c.seed()), run, Map.of(),
                new PrintStream(new ByteArrayOutputStream())).train(start);
    }

    private Checkpoint load(String name, long step) throws Exception {
        return Checkpoint.load(dir.resolve(name).resolve("checkpoints/" + RunFolder.stepName(step)).toString(),
                new Configuration());
    }
}

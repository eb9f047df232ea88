package org.sparkgan.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.model.Dcgan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed's label convention, the frozen D of G's update, and determinism of one iteration. */
class GanStepTest {
    final TrainConfig config = TinyRuns.config("label-noise", "0");

    MultiLayerNetwork generator() {
        return Dcgan.generator(config.model(), config.optimizer(), 1);
    }

    MultiLayerNetwork discriminator() {
        return Dcgan.discriminator(config.model(), config.optimizer(), 2);
    }

    @Test
    void conventionFakesOneRealsZero() {
        assertEquals(1f, GanStep.FAKE);
        assertEquals(0f, GanStep.REAL);
    }

    @Test
    void discriminatorLearnsRealsTowardZero() throws Exception {
        MultiLayerNetwork g = generator(), d = discriminator();
        INDArray reals = TinyRuns.frogs(8);
        double before = d.output(reals, false).meanNumber().doubleValue();
        GanStep step = new GanStep(g, d, config.model().latentDim(), 0, false);
        for (int s = 1; s <= 10; s++) step.run(reals, s);
        double after = d.output(reals, false).meanNumber().doubleValue();
        assertTrue(after < before - 0.05, "D(real) should fall toward 0 (REAL): " + before + " -> " + after);
    }

    @Test
    void generatorStepMovesDOfFakesTowardRealAndLeavesDUntouched() {
        MultiLayerNetwork g = generator(), d = discriminator();
        GanStep step = new GanStep(g, d, config.model().latentDim(), 0, false);
        INDArray z = step.latents(8, 7);
        INDArray dParams = d.params().dup(), dUpdater = d.getUpdater().getStateViewArray().dup();
        INDArray gParams = g.params().dup();
        double before = d.output(g.output(z, false), false).meanNumber().doubleValue();
        for (int i = 0; i < 3; i++) step.trainGenerator(step.generatorForward(z), i);
        double after = d.output(g.output(z, false), false).meanNumber().doubleValue();

        assertTrue(after < before, "G's update should lower D(G(z)) toward 0 (REAL): " + before + " -> " + after);
        TrainerTest.assertBitIdentical(dParams, d.params(), "D's parameters are frozen during G's update");
        TrainerTest.assertBitIdentical(dUpdater, d.getUpdater().getStateViewArray(), "D's RMSprop state is untouched too");
        assertNotEquals(gParams, g.params());
        assertEquals(3, g.getIterationCount());
    }

    @Test
    void oneIterationChangesBothNetworksAndIsDeterministic() throws Exception {
        INDArray reals = TinyRuns.frogs(8);
        MultiLayerNetwork g1 = generator(), d1 = discriminator(), g2 = generator(), d2 = discriminator();
        INDArray g0 = g1.params().dup(), d0 = d1.params().dup();
        GanStep.Result r1 = new GanStep(g1, d1, config.model().latentDim(), 0.05, false).run(reals, 99);
        GanStep.Result r2 = new GanStep(g2, d2, config.model().latentDim(), 0.05, false).run(reals, 99);
        assertNotEquals(g0, g1.params(), "G changed");
        assertNotEquals(d0, d1.params(), "D changed");
        TrainerTest.assertBitIdentical(g1.params(), g2.params(), "same seeds, same G");
        TrainerTest.assertBitIdentical(d1.params(), d2.params(), "same seeds, same D");
        assertEquals(r1.dLoss(), r2.dLoss());
        assertEquals(r1.gLoss(), r2.gLoss());
        assertTrue(Double.isFinite(r1.dLoss()) && r1.dLoss() > 0 && Double.isFinite(r1.gLoss()) && r1.gLoss() > 0);
    }

    @Test
    void reuseFakesTrainsGOnTheDStepsFakesAndLeavesTheDStepAlone() throws Exception {
        INDArray reals = TinyRuns.frogs(8);
        long seed = 99;
        MultiLayerNetwork gReuse = generator(), dReuse = discriminator(), gFresh = generator(), dFresh = discriminator();
        new GanStep(gReuse, dReuse, config.model().latentDim(), 0.05, true).run(reals, seed);
        new GanStep(gFresh, dFresh, config.model().latentDim(), 0.05, false).run(reals, seed);
        TrainerTest.assertBitIdentical(dFresh.params(), dReuse.params(), "the D step sees the same fakes either way");
        assertNotEquals(gFresh.params(), gReuse.params(), "G's step differs");

        // by hand: G's update through the updated D, on the latents of the D step's fakes
        MultiLayerNetwork g = generator();
        GanStep step = new GanStep(g, dFresh, config.model().latentDim(), 0.05, false);
        step.trainGenerator(step.generatorForward(step.latents(8, Seeds.derive(seed, 1))), Seeds.derive(seed, 5));
        TrainerTest.assertBitIdentical(g.params(), gReuse.params(), "G trained on the D step's latents");
    }
}

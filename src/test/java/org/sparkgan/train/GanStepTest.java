package org.sparkgan.train;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sparkgan.model.Dcgan;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's label convention, the frozen D of G's update, determinism of one iteration, and where DiffAugment enters
 * the step.
 */
class GanStepTest {
    final TrainConfig config = TinyRuns.config("label-noise", "0");
    final TrainConfig noisy = TinyRuns.config("label-noise", "0.05");
    final TrainConfig noisyReusingFakes = TinyRuns.config("label-noise", "0.05", "reuse-fakes", "true");

    MultiLayerNetwork generator() {
        return Dcgan.generator(config.model(), config.optimizer(), 1);
    }

    MultiLayerNetwork discriminator() {
        return Dcgan.discriminator(config.model(), config.optimizer(), 2);
    }

    /**
     * The seed's convention, read off the losses the step reports: with no label noise and no dropout, D's loss is
     * the cross-entropy of its outputs with fakes labelled 1 and reals 0, and G's loss that of D's (updated) outputs
     * on G's fakes toward 0. Swapping either label would change both numbers.
     */
    @Test
    void lossesAreCrossEntropiesWithFakesOneAndRealsZero() throws Exception {
        TrainConfig exact = TinyRuns.config("label-noise", "0", "dropout", "0");
        MultiLayerNetwork g = Dcgan.generator(exact.model(), exact.optimizer(), 1);
        MultiLayerNetwork d = Dcgan.discriminator(exact.model(), exact.optimizer(), 2);
        INDArray reals = TinyRuns.frogs(8);
        long stepSeed = 5;
        GanStep step = new GanStep(g, d, exact);
        MultiLayerNetwork gBefore = g.clone();
        INDArray dFakes = g.output(step.latents(8, Seeds.draw(stepSeed, Seeds.Draw.D_LATENTS)), false);
        INDArray gLatents = step.latents(8, Seeds.draw(stepSeed, Seeds.Draw.G_LATENTS));
        double pFakeSum = 0, pRealSum = 0;
        INDArray pFake = d.output(dFakes, false), pReal = d.output(reals, false);
        for (int i = 0; i < 8; i++) {
            pFakeSum += Math.log(pFake.getDouble(i, 0));
            pRealSum += Math.log(1 - pReal.getDouble(i, 0));
        }
        double expectedD = -(pFakeSum + pRealSum) / 16;

        GanStep.Result r = step.run(reals, stepSeed);
        assertEquals(expectedD, r.dLoss(), 1e-5, "D: fakes labelled 1 (FAKE), reals 0 (REAL)");
        assertEquals(pReal.meanNumber().doubleValue(), r.dOutReal(), 1e-6, "D's mean output on the reals, before its update");
        assertEquals(pFake.meanNumber().doubleValue(), r.dOutFake(), 1e-6, "and on the fakes");
        INDArray pG = d.output(gBefore.output(gLatents, false), false);
        double expectedG = 0;
        for (int i = 0; i < 8; i++) expectedG -= Math.log(1 - pG.getDouble(i, 0)) / 8;
        assertEquals(expectedG, r.gLoss(), 1e-5, "G: its fakes toward 0 (REAL), through the updated D");
    }

    /**
     * D's accuracies and mean outputs come from the pass D trains on, and G's loss from the pass whose gradients G
     * uses: both with dropout on and the step's own masks (as Keras's train_on_batch reports), not from a second,
     * inference-mode pass.
     */
    @Test
    void metricsComeFromTheTrainingPassesWithTheirDropoutMasks() throws Exception {
        TrainConfig c = TinyRuns.config("label-noise", "0.05", "dropout", "0.5");
        MultiLayerNetwork g = Dcgan.generator(c.model(), c.optimizer(), 1);
        MultiLayerNetwork d = Dcgan.discriminator(c.model(), c.optimizer(), 2);
        INDArray reals = TinyRuns.frogs(8);
        long stepSeed = 11;
        GanStep step = new GanStep(g, d, c);
        MultiLayerNetwork gBefore = g.clone(), dBefore = d.clone();
        INDArray images = Nd4j.concat(0, gBefore.output(step.latents(8, Seeds.draw(stepSeed, Seeds.Draw.D_LATENTS)),
                false), reals);
        Nd4j.getRandom().setSeed(Seeds.draw(stepSeed, Seeds.Draw.D_DROPOUT));
        INDArray p = dBefore.output(images, true);
        INDArray inference = dBefore.output(images, false);
        assertTrue(p.sub(inference).amaxNumber().doubleValue() > 1e-4, "dropout changes D's outputs");

        GanStep.Result r = step.run(reals, stepSeed);
        INDArray onFakes = p.get(NDArrayIndex.interval(0, 8)), onReals = p.get(NDArrayIndex.interval(8, 16));
        assertEquals(onFakes.meanNumber().doubleValue(), r.dOutFake(), 1e-6, "D's mean output on the fakes it trained on");
        assertEquals(onReals.meanNumber().doubleValue(), r.dOutReal(), 1e-6, "and on the reals");
        assertEquals(onFakes.gt(0.5).castTo(DataType.FLOAT).meanNumber().doubleValue(), r.dAccFake(), 1e-9);
        assertEquals(onReals.lt(0.5).castTo(DataType.FLOAT).meanNumber().doubleValue(), r.dAccReal(), 1e-9);

        INDArray gFakes = gBefore.output(step.latents(8, Seeds.draw(stepSeed, Seeds.Draw.G_LATENTS)), false);
        Nd4j.getRandom().setSeed(Seeds.draw(stepSeed, Seeds.Draw.G_DROPOUT));
        INDArray pG = d.output(gFakes, true); // d: updated by the D step, left alone by G's
        double expectedG = -Transforms.log(pG.rsub(1.0).addi(1e-7), false).meanNumber().doubleValue();
        assertEquals(expectedG, r.gLoss(), 1e-5, "G's loss with the masks of its own update");
    }

    @Test
    void discriminatorLearnsRealsTowardZero() throws Exception {
        MultiLayerNetwork g = generator(), d = discriminator();
        INDArray reals = TinyRuns.frogs(8);
        double before = d.output(reals, false).meanNumber().doubleValue();
        GanStep step = new GanStep(g, d, config);
        for (int s = 1; s <= 10; s++) step.run(reals, s);
        double after = d.output(reals, false).meanNumber().doubleValue();
        assertTrue(after < before - 0.05, "D(real) should fall toward 0 (REAL): " + before + " -> " + after);
    }

    @Test
    void generatorStepMovesDOfFakesTowardRealAndLeavesDUntouched() {
        MultiLayerNetwork g = generator(), d = discriminator();
        GanStep step = new GanStep(g, d, config);
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
        GanStep.Result r1 = new GanStep(g1, d1, noisy).run(reals, 99);
        GanStep.Result r2 = new GanStep(g2, d2, noisy).run(reals, 99);
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
        new GanStep(gReuse, dReuse, noisyReusingFakes).run(reals, seed);
        new GanStep(gFresh, dFresh, noisy).run(reals, seed);
        TrainerTest.assertBitIdentical(dFresh.params(), dReuse.params(), "the D step sees the same fakes either way");
        assertNotEquals(gFresh.params(), gReuse.params(), "G's step differs");

        // by hand: G's update through the updated D, on the latents of the D step's fakes
        MultiLayerNetwork g = generator();
        GanStep step = new GanStep(g, dFresh, noisy);
        step.trainGenerator(step.generatorForward(step.latents(8, Seeds.derive(seed, 1))), Seeds.derive(seed, 5));
        TrainerTest.assertBitIdentical(g.params(), gReuse.params(), "G trained on the D step's latents");
    }

    /** Without augmentation the step is the book's loop, written out here from DL4J's own calls. */
    @Test
    void withoutAugmentationTheStepIsTheBooksLoop() throws Exception {
        assertStepIsWrittenOutLoop(noisy);
    }

    /**
     * With augmentation, D fits the augmented fakes and reals (one draw for the batch of both, from d_augment), and
     * G's gradient is D's input gradient for its augmented fakes (g_augment) taken back through the augmentation.
     */
    @Test
    void withAugmentationDSeesAugmentedImagesAndGsGradientComesBackThroughThem() throws Exception {
        TrainConfig augmented = TinyRuns.config("label-noise", "0.05", "augment", "color,translation,cutout");
        assertStepIsWrittenOutLoop(augmented);

        INDArray reals = TinyRuns.frogs(8);
        MultiLayerNetwork gPlain = generator(), dPlain = discriminator(), gAug = generator(), dAug = discriminator();
        new GanStep(gPlain, dPlain, noisy).run(reals, 99);
        new GanStep(gAug, dAug, augmented).run(reals, 99);
        assertNotEquals(dPlain.params(), dAug.params(), "augmentation changes D's step");
        assertNotEquals(gPlain.params(), gAug.params(), "and G's");
    }

    private void assertStepIsWrittenOutLoop(TrainConfig c) throws Exception {
        INDArray reals = TinyRuns.frogs(8);
        long seed = 99;
        MultiLayerNetwork g = generator(), d = discriminator();
        GanStep.Result r = new GanStep(g, d, c).run(reals, seed);
        List<MultiLayerNetwork> byHand = writtenOutStep(c, reals, seed);
        TrainerTest.assertBitIdentical(byHand.get(1).params(), d.params(), "D");
        TrainerTest.assertBitIdentical(byHand.get(0).params(), g.params(), "G");
        assertTrue(Double.isFinite(r.dLoss()) && Double.isFinite(r.gLoss()));
    }

    /** G and D after one step of {@code c}'s loop, from the networks' primitives and the documented draws. */
    private List<MultiLayerNetwork> writtenOutStep(TrainConfig c, INDArray reals, long seed) {
        MultiLayerNetwork g = generator(), d = discriminator();
        DiffAugment augment = DiffAugment.of(c.get(TrainConfig.AUGMENT));
        int batch = (int) reals.size(0);
        Nd4j.getRandom().setSeed(Seeds.draw(seed, Seeds.Draw.D_LATENTS));
        INDArray images = Nd4j.concat(0, g.output(Nd4j.randn(DataType.FLOAT, batch, c.model().latentDim()), false),
                reals);
        if (!augment.isNone()) images = augment.draw(images, Seeds.draw(seed, Seeds.Draw.D_AUGMENT)).apply(images);
        INDArray labels = Nd4j.concat(0, Nd4j.ones(DataType.FLOAT, batch, 1), Nd4j.zeros(DataType.FLOAT, batch, 1));
        Nd4j.getRandom().setSeed(Seeds.draw(seed, Seeds.Draw.LABEL_NOISE));
        labels.addi(Nd4j.rand(DataType.FLOAT, 2L * batch, 1).muli(c.labelNoise()));
        Nd4j.getRandom().setSeed(Seeds.draw(seed, Seeds.Draw.D_DROPOUT));
        d.fit(images, labels);

        Nd4j.getRandom().setSeed(Seeds.draw(seed, Seeds.Draw.G_LATENTS));
        g.setInput(Nd4j.randn(DataType.FLOAT, batch, c.model().latentDim()));
        List<INDArray> activations = g.feedForward(true, false);
        INDArray fakes = activations.get(activations.size() - 1);
        DiffAugment.Augmentation ga = augment.isNone() ? null
                : augment.draw(fakes, Seeds.draw(seed, Seeds.Draw.G_AUGMENT));
        Nd4j.getRandom().setSeed(Seeds.draw(seed, Seeds.Draw.G_DROPOUT));
        INDArray epsilon = d.calculateGradients(ga == null ? fakes : ga.apply(fakes),
                Nd4j.zeros(DataType.FLOAT, batch, 1), null, null).getSecond();
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        Gradient gradient = g.backpropGradient(ga == null ? epsilon : ga.backprop(epsilon), none).getFirst();
        g.getUpdater().update(g, gradient, 0, 0, batch, none);
        g.params().subi(gradient.gradient());
        return List.of(g, d);
    }
}

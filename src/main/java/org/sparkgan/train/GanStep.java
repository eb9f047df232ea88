package org.sparkgan.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.List;

/**
 * One iteration of the seed's training loop — the single place it is written; the single-JVM trainer and the Spark
 * workers both call it:
 * <ol>
 *   <li>draw Gaussian latents and generate fakes;</li>
 *   <li>train D on fakes labelled 1 and reals labelled 0, each label plus noise·U(0,1);</li>
 *   <li>draw new latents and train G through D toward label 0 ("real"), D in training mode (dropout on) but its
 *       parameters and optimizer state untouched.</li>
 * </ol>
 * With reuse-fakes, step 3 trains G on step 1's fakes instead (PyTorch's DCGAN example): step 1 is then a
 * training-mode forward pass whose layer state G's backward pass uses, and one G forward pass is saved.
 * With an augment policy ({@link DiffAugment}), every image D sees is augmented, each with its own draw: the D
 * step's fakes and reals, and G's fakes in step 3, whose gradient from D goes back through the same augmentation.
 * Every random draw (latents, label noise, dropout masks, augmentations) comes from {@link Seeds#draw} of
 * {@code stepSeed}; the settings it reads are the {@link StepSettings} of the run's configuration.
 */
public final class GanStep {
    /** Label of a fake image in the seed's convention (D outputs the probability of "fake"). */
    public static final float FAKE = 1f;
    /** Label of a real image, and G's target. */
    public static final float REAL = 0f;

    /**
     * Losses (binary cross-entropy, before the update), D's accuracies and mean outputs (the probability of "fake")
     * on this batch's reals and fakes before its update, and phase times. With label noise X, D's targets average
     * X/2 on reals and 1 + X/2 on fakes, so a D that cannot tell them apart outputs about 0.5 + X/2 for both: then
     * its accuracies read 0 and 1 (or 1 and 0) although it is at chance; the mean outputs tell.
     */
    public record Result(double dLoss, double gLoss, double dAccReal, double dAccFake, double dOutReal, double dOutFake,
                         double fakeSeconds, double dSeconds, double gSeconds) implements java.io.Serializable {}

    private final MultiLayerNetwork generator;
    private final MultiLayerNetwork discriminator;
    private final StepSettings settings;

    public GanStep(MultiLayerNetwork generator, MultiLayerNetwork discriminator, StepSettings settings) {
        this.generator = generator;
        this.discriminator = discriminator;
        this.settings = settings;
    }

    /** The step as {@code config} sets it. */
    public GanStep(MultiLayerNetwork generator, MultiLayerNetwork discriminator, TrainConfig config) {
        this(generator, discriminator, config.stepSettings());
    }

    public Result run(INDArray reals, long stepSeed) {
        NativeMemory.collectIfDue(); // before the phase clocks start: the trainer's s/step still counts it
        int batch = (int) reals.size(0);
        boolean reuseFakes = settings.get(TrainConfig.REUSE_FAKES);
        DiffAugment augment = DiffAugment.of(settings.get(TrainConfig.AUGMENT));
        long t0 = System.nanoTime();
        INDArray z = latents(batch, Seeds.draw(stepSeed, Seeds.Draw.D_LATENTS));
        // G has no dropout or normalisation: a training-mode pass gives the same fakes and keeps what backprop needs
        INDArray fakes = reuseFakes ? generatorForward(z) : generator.output(z, false);
        long t1 = System.nanoTime();

        INDArray images = Nd4j.concat(0, fakes, reals);
        if (!augment.isNone()) images = augment.draw(images, Seeds.draw(stepSeed, Seeds.Draw.D_AUGMENT)).apply(images);
        INDArray labels = Nd4j.concat(0,
                Nd4j.valueArrayOf(new long[]{batch, 1}, FAKE, DataType.FLOAT),
                Nd4j.valueArrayOf(new long[]{batch, 1}, REAL, DataType.FLOAT));
        Nd4j.getRandom().setSeed(Seeds.draw(stepSeed, Seeds.Draw.LABEL_NOISE));
        labels.addi(Nd4j.rand(DataType.FLOAT, batch * 2L, 1).muli(settings.get(TrainConfig.LABEL_NOISE)));
        // D's accuracies and mean outputs come from the forward pass D trains on (dropout on, before the update), as
        // Keras's train_on_batch reports its metrics: no second, inference-mode pass
        Nd4j.getRandom().setSeed(Seeds.draw(stepSeed, Seeds.Draw.D_DROPOUT));
        INDArray pFake;
        try (OutputProbe probe = OutputProbe.attach(discriminator)) {
            discriminator.fit(images, labels);
            pFake = probe.output();
        }
        double dLoss = discriminator.score();
        INDArray onFakes = pFake.get(NDArrayIndex.interval(0, batch)), onReals = pFake.get(NDArrayIndex.interval(batch, 2L * batch));
        double accFake = onFakes.gt(0.5).castTo(DataType.FLOAT).meanNumber().doubleValue();
        double accReal = onReals.lt(0.5).castTo(DataType.FLOAT).meanNumber().doubleValue();
        double outFake = onFakes.meanNumber().doubleValue(), outReal = onReals.meanNumber().doubleValue();
        long t2 = System.nanoTime();

        if (!reuseFakes) fakes = generatorForward(latents(batch, Seeds.draw(stepSeed, Seeds.Draw.G_LATENTS)));
        DiffAugment.Augmentation gAugmentation = augment.isNone() ? null
                : augment.draw(fakes, Seeds.draw(stepSeed, Seeds.Draw.G_AUGMENT));
        double gLoss = trainGenerator(fakes, Seeds.draw(stepSeed, Seeds.Draw.G_DROPOUT), gAugmentation);
        long t3 = System.nanoTime();
        return new Result(dLoss, gLoss, accReal, accFake, outReal, outFake, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                (t3 - t2) / 1e9);
    }

    /** G's training-mode forward pass; its layers keep their inputs for {@link #trainGenerator}. */
    INDArray generatorForward(INDArray z) {
        generator.setInput(z);
        List<INDArray> activations = generator.feedForward(true, false);
        return activations.get(activations.size() - 1);
    }

    /** G's update without augmentation (the book's). */
    double trainGenerator(INDArray fakes, long dropoutSeed) {
        return trainGenerator(fakes, dropoutSeed, null);
    }

    /**
     * G's update through the frozen D, for the {@code fakes} of G's last {@link #generatorForward}: D's gradient
     * with respect to its input (target REAL, dropout on) is backpropagated through G, and only G's RMSprop step
     * is applied. With an {@code augmentation} (null: none), D sees the augmented fakes and its input gradient goes
     * back through the augmentation to G's output.
     */
    double trainGenerator(INDArray fakes, long dropoutSeed, DiffAugment.Augmentation augmentation) {
        int batch = (int) fakes.size(0);
        INDArray seen = augmentation == null ? fakes : augmentation.apply(fakes);
        // calculateGradients reports no loss: G's binary cross-entropy toward REAL comes from D's output in the same
        // forward pass whose gradients are used
        Nd4j.getRandom().setSeed(dropoutSeed);
        Pair<Gradient, INDArray> throughD;
        INDArray pFake;
        try (OutputProbe probe = OutputProbe.attach(discriminator)) {
            throughD = discriminator.calculateGradients(seen, Nd4j.valueArrayOf(new long[]{batch, 1}, REAL, DataType.FLOAT),
                    null, null);
            pFake = probe.output();
        }
        double gLoss = -Transforms.log(pFake.rsub(1.0).addi(1e-7), false).meanNumber().doubleValue();
        INDArray towardFakes = augmentation == null ? throughD.getSecond()
                : augmentation.backprop(throughD.getSecond());

        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        Gradient gradient = generator.backpropGradient(towardFakes, noWorkspaces).getFirst();
        // what MultiLayerNetwork.fit does after its own backprop: clip + RMSprop in place, then params -= update
        generator.getUpdater().update(generator, gradient, generator.getIterationCount(), generator.getEpochCount(),
                batch, noWorkspaces);
        generator.params().subi(gradient.gradient());
        generator.setIterationCount(generator.getIterationCount() + 1);
        // the layers' state only: MultiLayerNetwork.clear() also drops the solver, and with it the RMSprop state
        generator.clearLayersStates();
        discriminator.clearLayersStates();
        return gLoss;
    }

    /**
     * D's output in a training pass, without computing it twice: DL4J's fit and calculateGradients run the forward
     * pass up to the output layer's input and hand it to {@link TrainingListener#onForwardPass}, then compute the
     * output layer inside backprop without returning it. The probe applies the output layer (a Dense of a few
     * hundred inputs) to that input, out of DL4J's workspaces, before backprop sets the layer's input again.
     */
    private static final class OutputProbe extends BaseTrainingListener implements AutoCloseable {
        private final MultiLayerNetwork network;
        private final List<TrainingListener> before;
        private INDArray output;

        private OutputProbe(MultiLayerNetwork network) {
            this.network = network;
            this.before = new ArrayList<>(network.getListeners());
        }

        static OutputProbe attach(MultiLayerNetwork network) {
            OutputProbe probe = new OutputProbe(network);
            network.addListeners(probe);
            return probe;
        }

        /** The output of the last training pass since {@link #attach}. */
        INDArray output() {
            if (output == null) throw new IllegalStateException("the training pass reported no forward pass");
            return output;
        }

        @Override
        public void close() {
            network.setListeners(before);
        }

        @Override
        public void onForwardPass(Model model, List<INDArray> activations) {
            int last = network.getnLayers() - 1;
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                INDArray input = activations.get(activations.size() - 1);
                InputPreProcessor pre = network.getLayerWiseConfigurations().getInputPreProcess(last);
                if (pre != null) input = pre.preProcess(input, (int) input.size(0), LayerWorkspaceMgr.noWorkspaces());
                output = network.getLayer(last).activate(input, false, LayerWorkspaceMgr.noWorkspaces());
            }
        }
    }

    INDArray latents(int batch, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, batch, settings.get(TrainConfig.LATENT_DIM));
    }
}

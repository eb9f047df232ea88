package org.sparkgan.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * What training advances: G and D (with their RMSprop states) after {@code step} steps, how many times the run
 * rolled back from a diverged step (each rollback moves the later steps to another random stream, see
 * {@link Seeds#step(long, long, int)}), and the moving average of G's weights ({@link GeneratorEma}; null when
 * ema-kimg is 0). The engines advance G and D; the trainer keeps G_ema.
 */
public record TrainingState(long step, MultiLayerNetwork generator, MultiLayerNetwork discriminator, int rollbacks,
                            MultiLayerNetwork generatorEma) {
    public TrainingState(long step, MultiLayerNetwork generator, MultiLayerNetwork discriminator) {
        this(step, generator, discriminator, 0, null);
    }

    /** Copies this state's networks (parameters, RMSprop states, iteration counts) into {@code g} and {@code d}. */
    public void copyInto(MultiLayerNetwork g, MultiLayerNetwork d) {
        copy(generator, g);
        copy(discriminator, d);
    }

    private static void copy(MultiLayerNetwork from, MultiLayerNetwork to) {
        to.params().assign(from.params());
        to.getUpdater().getStateViewArray().assign(from.getUpdater().getStateViewArray());
        to.setIterationCount(from.getIterationCount());
        to.setEpochCount(from.getEpochCount());
    }
}

package org.sparkgan.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An exponential moving average of G's weights, G_ema ← β·G_ema + (1−β)·G after every update of G (on Spark: after
 * every round, on the averaged G), from which samples are drawn, as in every strong GAN trainer since ProGAN. β comes
 * from a half-life in images, StyleGAN2-ADA's {@code ema_kimg}, so it does not depend on the batch size or the number
 * of workers: β = 0.5^(images per update / half-life), with the half-life ramped up as StyleGAN2-ADA does (at most
 * {@link #RAMP_UP} of the images seen so far), so early G_ema follows G closely instead of averaging in its random
 * start.
 */
public final class GeneratorEma {
    /** StyleGAN2-ADA's ema_rampup: the half-life is at most this share of the images seen so far. */
    static final double RAMP_UP = 0.05;

    private GeneratorEma() {}

    /** β of an update that brings the images seen to {@code imagesSeen}; 0 (G_ema = G) when the half-life is 0. */
    public static double beta(double halfLifeImages, long imagesSeen, long imagesPerUpdate) {
        double halfLife = Math.min(halfLifeImages, RAMP_UP * imagesSeen);
        return halfLife <= 0 ? 0 : Math.pow(0.5, imagesPerUpdate / halfLife);
    }

    /**
     * {@code ema ← β·ema + (1−β)·g}, on the parameters only (G_ema is never trained), in place: a scaled copy of G
     * first (fresh native memory, page-faulted in) took 91 ms per update for the seed's 6.3M parameters, 4% of a step.
     */
    public static void update(MultiLayerNetwork ema, MultiLayerNetwork g, double beta) {
        INDArray average = ema.params();
        Nd4j.getBlasWrapper().level1().axpy(average.length(), 1 - beta, g.params(), average.muli(beta));
    }

    /** A G_ema starting as a copy of {@code g}'s parameters. */
    public static MultiLayerNetwork startingAt(MultiLayerNetwork g) {
        MultiLayerNetwork ema = g.clone();
        ema.params().assign(g.params());
        return ema;
    }
}

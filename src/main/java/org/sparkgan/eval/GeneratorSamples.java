package org.sparkgan.eval;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.train.Seeds;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Images from a trained generator for evaluation and pictures. Latents come from {@link Random} rather than ND4J's
 * generator, so a seed gives the same latents on every backend and thread count; latent row i depends only on the
 * seed and i, so the first image of a larger batch is the image of a batch of one.
 */
public final class GeneratorSamples {
    /** Images per forward pass: bounds memory for large counts. */
    static final int BATCH = 100;
    private static final long LATENT_STREAM = 0x1A7E27L;

    private GeneratorSamples() {}

    /** {@code count} standard-Gaussian latent vectors of size {@code dim}, one per row. */
    public static INDArray latents(long seed, int count, int dim) {
        Random random = new Random(Seeds.derive(seed, LATENT_STREAM));
        float[] z = new float[count * dim];
        for (int i = 0; i < z.length; i++) z[i] = (float) random.nextGaussian();
        return Nd4j.create(z, new long[]{count, dim}, DataType.FLOAT);
    }

    /**
     * {@code count} latents evenly spaced on the straight line from the first latent of {@code seed} to the first
     * latent of {@code seed + 1}, both ends included.
     */
    public static INDArray interpolation(long seed, int count, int dim) {
        INDArray from = latents(seed, 1, dim), to = latents(seed + 1, 1, dim);
        INDArray out = Nd4j.create(DataType.FLOAT, count, dim);
        for (int i = 0; i < count; i++) {
            double t = count == 1 ? 0 : (double) i / (count - 1);
            out.putRow(i, from.mul(1 - t).addi(to.mul(t)));
        }
        return out;
    }

    /** G's outputs (NCHW, [-1, 1]) for the latents, in inference mode, {@link #BATCH} at a time. */
    public static INDArray generate(MultiLayerNetwork generator, INDArray latents) {
        int count = (int) latents.size(0);
        List<INDArray> parts = new ArrayList<>();
        for (int start = 0; start < count; start += BATCH) {
            INDArray z = latents.get(NDArrayIndex.interval(start, Math.min(count, start + BATCH)), NDArrayIndex.all());
            parts.add(generator.output(z.dup(), false).castTo(DataType.FLOAT));
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }
}

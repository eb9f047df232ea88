package org.sparkgan.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.BadInputException;

/**
 * How different the images of one batch are from each other: a generator that has collapsed onto a few outputs
 * gives a fixed latent batch (the sample grid) a much smaller spread than real images have.
 */
public final class Diversity {
    private Diversity() {}

    /**
     * Mean L2 distance over all pairs of images (each flattened to one vector of its values, in the tensors' own
     * [-1, 1] units); 0 when every image is the same.
     */
    public static double meanPairwiseDistance(INDArray images) {
        int n = (int) images.size(0);
        if (n < 2) throw new BadInputException("pairwise distances need at least 2 images, got " + n);
        int size = (int) (images.length() / n);
        float[] v = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        double total = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double squares = 0;
                for (int k = 0; k < size; k++) {
                    double d = v[i * size + k] - v[j * size + k];
                    squares += d * d;
                }
                total += Math.sqrt(squares);
            }
        }
        return total / (n * (n - 1) / 2.0);
    }
}

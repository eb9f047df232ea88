package org.sparkgan.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Random;

/**
 * The training images and the order they are visited in: each pass is a fresh permutation derived from the run
 * seed and the pass number, cut into whole batches (a last partial batch is skipped). The batch of a step is a pure
 * function of the step, which is the data position a checkpoint needs.
 */
public final class RealImages {
    private final INDArray images;
    private final INDArray flat; // rows can only be gathered from a matrix
    private final int batchSize;
    private final long seed;
    private final int batchesPerPass;
    private long cachedPass = -1;
    private int[] cachedOrder;

    public RealImages(INDArray images, int batchSize, long seed) {
        if (images.size(0) < batchSize) {
            throw new org.sparkgan.BadInputException("the data set has " + images.size(0)
                    + " images, fewer than one batch of " + batchSize);
        }
        this.images = images;
        this.flat = images.reshape('c', images.size(0), images.length() / images.size(0));
        this.batchSize = batchSize;
        this.seed = seed;
        this.batchesPerPass = (int) (images.size(0) / batchSize);
    }

    public long count() {
        return images.size(0);
    }

    /** All images, NCHW. */
    public INDArray all() {
        return images;
    }

    /** The pass (from 0) that step {@code step} (from 1) falls in. */
    public long pass(long step) {
        return (step - 1) / batchesPerPass;
    }

    /** The batch index within its pass. */
    public int batchInPass(long step) {
        return (int) ((step - 1) % batchesPerPass);
    }

    /** The real images of step {@code step} (counted from 1). */
    public INDArray batch(long step) {
        int[] order = order(pass(step));
        int from = batchInPass(step) * batchSize;
        int[] rows = new int[batchSize];
        for (int i = 0; i < batchSize; i++) rows[i] = order[from + i];
        return flat.getRows(rows).reshape('c', batchSize, images.size(1), images.size(2), images.size(3));
    }

    private int[] order(long pass) {
        if (pass != cachedPass) {
            int n = (int) images.size(0);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Random rng = new Random(Seeds.shuffle(seed, pass));
            for (int i = n - 1; i > 0; i--) { // Fisher-Yates
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            cachedOrder = order;
            cachedPass = pass;
        }
        return cachedOrder;
    }
}

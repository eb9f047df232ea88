package org.sparkgan.train;

import org.nd4j.linalg.api.ndarray.INDArray;


/**
 * The training images and the order they are visited in: each pass is a fresh permutation derived from the run
 * seed and the pass number, cut into whole batches (a last partial batch is skipped). The batch of a step is a pure
 * function of the step, which is the data position a checkpoint needs.
 */
public final class RealImages {
    private final INDArray images;
    private final INDArray flat; // rows can only be gathered from a matrix
    private final int batchSize;
    private final int batchesPerPass;
    private final VisitOrder order;

    public RealImages(INDArray images, int batchSize, long seed) {
        if (images.size(0) < batchSize) {
            throw new org.sparkgan.BadInputException("the data set has " + images.size(0)
                    + " images, fewer than one batch of " + batchSize);
        }
        this.images = images;
        this.flat = images.reshape('c', images.size(0), images.length() / images.size(0));
        this.batchSize = batchSize;
        this.batchesPerPass = (int) (images.size(0) / batchSize);
        this.order = new VisitOrder((int) images.size(0), batchSize, seed);
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
        return flat.getRows(order.rows(step)).reshape('c', batchSize, images.size(1), images.size(2), images.size(3));
    }
}

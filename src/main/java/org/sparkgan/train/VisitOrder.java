package org.sparkgan.train;


import java.util.Random;

/**
 * Which images each step trains on, from the number of images alone: one Fisher-Yates permutation per pass, seeded by
 * {@code Seeds.shuffle(workerSeed, pass)} and cut into whole batches (a last partial batch is skipped). The single-JVM
 * trainer ({@link RealImages}) and each Spark worker's round use it, so a round can fetch just its own images and
 * still train on exactly the batches the single-JVM trainer would.
 */
public final class VisitOrder {
    private final int size;
    private final int batchSize;
    private final long workerSeed;
    private final int batchesPerPass;
    private long cachedPass = -1;
    private int[] cachedOrder;

    public VisitOrder(int size, int batchSize, long workerSeed) {
        this.size = size;
        this.batchSize = batchSize;
        this.workerSeed = workerSeed;
        this.batchesPerPass = size / batchSize;
    }

    /** The positions (0-based, in rank order) of step {@code step}'s batch (steps from 1). */
    public int[] rows(long step) {
        int[] order = order((step - 1) / batchesPerPass);
        int from = (int) ((step - 1) % batchesPerPass) * batchSize;
        int[] rows = new int[batchSize];
        System.arraycopy(order, from, rows, 0, batchSize);
        return rows;
    }

    private int[] order(long pass) {
        if (pass != cachedPass) {
            int[] order = new int[size];
            for (int i = 0; i < size; i++) order[i] = i;
            Random rng = new Random(Seeds.shuffle(workerSeed, pass));
            for (int i = size - 1; i > 0; i--) {
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

package org.sparkgan.train.spark;

import org.sparkgan.train.Seeds;

import java.util.Random;

/**
 * Which images of a shard each step trains on, from the shard's size alone: the visiting order of
 * {@link org.sparkgan.train.RealImages} (one Fisher-Yates permutation per pass, seeded by
 * {@code Seeds.shuffle(workerSeed, pass)}, cut into whole batches), so a round can fetch just its own images and
 * still train on exactly the batches the single-JVM trainer would.
 */
final class ShardOrder {
    private final int size;
    private final int batchSize;
    private final long workerSeed;
    private final int batchesPerPass;
    private long cachedPass = -1;
    private int[] cachedOrder;

    ShardOrder(int size, int batchSize, long workerSeed) {
        this.size = size;
        this.batchSize = batchSize;
        this.workerSeed = workerSeed;
        this.batchesPerPass = size / batchSize;
    }

    /** The shard positions (0-based, in the shard's rank order) of step {@code step}'s batch (steps from 1). */
    int[] rows(long step) {
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

package org.sparkgan.train.spark;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.ImageTensors;
import org.sparkgan.train.Seeds;
import org.sparkgan.train.VisitOrder;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The real images split over the workers and cached on the executors: the image of rank r (in id order) belongs to
 * worker r mod W, kept in rank order, so one worker holds exactly the single-JVM trainer's data in its order. A shard
 * stays a partition of byte[] records (never one array), so it need not fit in one Java array or in memory.
 */
public final class Shards {
    private Shards() {}

    /** Shards the {@code id}, {@code image} rows into {@code workers} cached partitions. */
    public static JavaRDD<byte[]> of(Dataset<Row> images, int workers) {
        JavaPairRDD<Long, byte[]> byRank = images.orderBy(CifarParquet.ID).select(CifarParquet.IMAGE).javaRDD()
                .zipWithIndex()
                .mapToPair(t -> new Tuple2<>(t._2(), (byte[]) t._1().get(0)));
        // serialized records, spilled to disk when executors lack the memory: a round reads only its own images
        return byRank.repartitionAndSortWithinPartitions(new ByRankModulo(workers)).values()
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
    }

    /** Rank r → partition r mod W. */
    static final class ByRankModulo extends Partitioner {
        private final int workers;

        ByRankModulo(int workers) {
            this.workers = workers;
        }

        @Override
        public int numPartitions() {
            return workers;
        }

        @Override
        public int getPartition(Object key) {
            return (int) ((Long) key % workers);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByRankModulo m && m.workers == workers;
        }

        @Override
        public int hashCode() {
            return workers;
        }
    }

    /** The number of images in each worker's shard, in worker order (one small job; it also fills the cache). */
    public static int[] sizes(JavaRDD<byte[]> shards) {
        List<Integer> counts = shards.mapPartitions(images -> {
            int n = 0;
            for (; images.hasNext(); images.next()) n++;
            return List.of(n).iterator();
        }).collect();
        return counts.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * A round's real batches for each worker: steps {@code firstStep} … {@code firstStep + k − 1} of worker w's own
     * pass order over its shard of {@code sizes[w]} images (derived from {@code Seeds.worker(seed, w)}), as DataSets
     * of {@code batch} images. Only those k·batch images are kept and decoded while the shard streams past; each one
     * decoded is counted in {@code decoded}.
     */
    public static Function2<Integer, Iterator<byte[]>, Iterator<DataSet>> roundBatches(long seed, long firstStep, int k,
                                                                                      int batch, int[] sizes,
                                                                                      LongAccumulator decoded) {
        return (worker, shard) -> {
            VisitOrder order = new VisitOrder(sizes[worker], batch, Seeds.worker(seed, worker));
            // slot s of the round holds image rows[s]; a round crossing a pass boundary may use an image twice
            long[] rowAndSlot = new long[k * batch];
            for (int step = 0; step < k; step++) {
                int[] rows = order.rows(firstStep + step);
                for (int i = 0; i < batch; i++) rowAndSlot[step * batch + i] = ((long) rows[i] << 32) | (step * batch + i);
            }
            Arrays.sort(rowAndSlot);
            byte[][] slots = new byte[k * batch][];
            int next = 0;
            for (int position = 0; next < rowAndSlot.length && shard.hasNext(); position++) {
                byte[] image = shard.next();
                for (; next < rowAndSlot.length && (rowAndSlot[next] >>> 32) == position; next++) {
                    slots[(int) rowAndSlot[next]] = image;
                }
            }
            if (next < rowAndSlot.length) {
                throw new IllegalStateException("worker " + worker + "'s shard ended before image "
                        + (rowAndSlot[next] >>> 32) + " (expected " + sizes[worker] + " images)");
            }
            List<DataSet> batches = new ArrayList<>(k);
            for (int step = 0; step < k; step++) {
                List<byte[]> images = Arrays.asList(slots).subList(step * batch, (step + 1) * batch);
                batches.add(new DataSet(ImageTensors.toTensor(images), Nd4j.zeros(DataType.FLOAT, batch, 1)));
                decoded.add(images.size());
            }
            return batches.iterator();
        };
    }
}

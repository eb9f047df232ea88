package org.sparkgan.train.spark;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.ImageTensors;
import org.sparkgan.train.RealImages;
import org.sparkgan.train.Seeds;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The real images split over the workers and cached on the executors: the image of rank r (in id order) belongs to
 * worker r mod W, kept in rank order, so one worker holds exactly the single-JVM trainer's data in its order.
 */
public final class Shards {
    private Shards() {}

    /** Shards the {@code id}, {@code image} rows into {@code workers} cached partitions. */
    public static JavaRDD<byte[]> of(Dataset<Row> images, int workers) {
        JavaPairRDD<Long, byte[]> byRank = images.orderBy(CifarParquet.ID).select(CifarParquet.IMAGE).javaRDD()
                .zipWithIndex()
                .mapToPair(t -> new Tuple2<>(t._2(), (byte[]) t._1().get(0)));
        return byRank.repartitionAndSortWithinPartitions(new ByRankModulo(workers)).values()
                .persist(StorageLevel.MEMORY_ONLY());
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

    /**
     * A round's real batches for each worker: steps {@code firstStep} … {@code firstStep + k − 1} of worker w's own
     * pass order over its shard (derived from {@code Seeds.worker(seed, w)}), as DataSets of {@code batch} images.
     */
    public static Function2<Integer, Iterator<byte[]>, Iterator<DataSet>> roundBatches(long seed, long firstStep, int k,
                                                                                      int batch) {
        return (worker, shard) -> {
            List<byte[]> images = new ArrayList<>();
            shard.forEachRemaining(images::add);
            RealImages data = new RealImages(ImageTensors.toTensor(images), batch, Seeds.worker(seed, worker));
            List<DataSet> batches = new ArrayList<>(k);
            for (long s = firstStep; s < firstStep + k; s++) {
                batches.add(new DataSet(data.batch(s), Nd4j.zeros(DataType.FLOAT, batch, 1)));
            }
            return batches.iterator();
        };
    }
}

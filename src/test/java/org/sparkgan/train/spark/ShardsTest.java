package org.sparkgan.train.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkgan.data.ImageTensors;
import org.sparkgan.testing.TestSpark;
import org.sparkgan.train.RealImages;
import org.sparkgan.train.Seeds;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sparkgan.train.TrainerTest.assertBitIdentical;

/** A round reads only its own images from the cached shards, and they are the single-JVM trainer's batches. */
class ShardsTest {
    /**
     * 20,000 random 4×4 images in 2 shards, a round of k = 3 steps crossing a pass boundary: only 3 batches per
     * worker are decoded, and they are bit for bit RealImages' batches over each whole shard.
     */
    @Test
    void aRoundDecodesOnlyItsOwnBatches() {
        int workers = 2, n = 20_000, k = 3, batch = 16;
        long seed = 7;
        Random rng = new Random(3);
        List<Row> rows = new ArrayList<>();
        List<List<byte[]>> byWorker = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < n; i++) {
            byte[] image = new byte[3 * 4 * 4];
            rng.nextBytes(image);
            rows.add(RowFactory.create((long) i, image));
            byWorker.get(i % workers).add(image);
        }
        StructType schema = new StructType().add("id", DataTypes.LongType).add("image", DataTypes.BinaryType);
        Dataset<Row> images = TestSpark.session().createDataFrame(rows, schema);
        JavaRDD<byte[]> shards = Shards.of(images, workers);
        assertEquals(StorageLevel.MEMORY_AND_DISK_SER(), shards.getStorageLevel(), "the cache spills, serialized");
        int[] sizes = Shards.sizes(shards);
        assertArrayEquals(new int[]{n / 2, n / 2}, sizes);

        long firstStep = 624; // 625 batches a pass: steps 624, 625, 626 span passes 0 and 1
        LongAccumulator decoded = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext()).sc()
                .longAccumulator();
        List<DataSet> batches = shards.mapPartitionsWithIndex(Shards.roundBatches(seed, firstStep, k, batch, sizes,
                decoded), true).collect();
        assertEquals((long) workers * k * batch, decoded.value(), "images decoded in the round");
        for (int w = 0; w < workers; w++) {
            RealImages whole = new RealImages(ImageTensors.toTensor(byWorker.get(w)), batch, Seeds.worker(seed, w));
            for (int s = 0; s < k; s++) {
                INDArray expected = whole.batch(firstStep + s);
                assertBitIdentical(expected, batches.get(w * k + s).getFeatures(), "worker " + w + " step " + (firstStep + s));
            }
        }
    }
}

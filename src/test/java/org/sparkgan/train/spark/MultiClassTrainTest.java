package org.sparkgan.train.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.BadInputException;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.ImageTensors;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.io.RunFolder;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;
import org.sparkgan.train.Checkpoint;
import org.sparkgan.train.RealImages;
import org.sparkgan.train.TinyRuns;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;
import org.sparkgan.train.TrainerTest;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --class lists and all, on the real CIFAR-10 training split prepared from the official archive. */
class MultiClassTrainTest {
    @TempDir
    static Path dir;
    static String cifar;

    @BeforeAll
    static void prep() throws Exception {
        cifar = dir.resolve("cifar10").toString();
        PrepJob.run(TestSpark.session(), new PrepOptions(TestData.archive().toString(), cifar,
                CifarClasses.parseList("all"), List.of("train"), "train", false));
    }

    @Test
    void allIsTheWholeTrainingSplit() {
        Row r = CifarParquet.selectImages(TestSpark.session(), cifar, "train", "all")
                .agg(countDistinct(col(CifarParquet.ID)), min(CifarParquet.ID), max(CifarParquet.ID)).first();
        assertEquals(List.of(50_000L, 0L, 49_999L), List.of(r.getLong(0), r.getLong(1), r.getLong(2)));
    }

    @Test
    void aListSelectsEachOfItsClassesAndNothingElse() {
        SparkSession spark = TestSpark.session();
        Dataset<Row> frogsAndCats = CifarParquet.selectImages(spark, cifar, "train", "frog,cat");
        assertEquals(10_000, frogsAndCats.count());
        List<Long> ids = frogsAndCats.orderBy(CifarParquet.ID).select(CifarParquet.ID).collectAsList().stream()
                .map(row -> row.getLong(0)).toList();
        List<Long> expected = CifarParquet.read(spark, cifar, "train", null)
                .where(col(CifarParquet.LABEL_NAME).isin("frog", "cat")).orderBy(CifarParquet.ID)
                .select(CifarParquet.ID).collectAsList().stream().map(row -> row.getLong(0)).toList();
        assertEquals(expected, ids);
        assertEquals(ids, CifarParquet.selectImages(spark, cifar, "train", " Cat, FROG ,frog,").orderBy(CifarParquet.ID)
                .select(CifarParquet.ID).collectAsList().stream().map(row -> row.getLong(0)).toList(),
                "names as the data set spells them, in any order, case or spacing");
        String unknown = assertThrows(BadInputException.class,
                () -> CifarParquet.selectImages(spark, cifar, "train", "frog,catt")).getMessage();
        assertTrue(unknown.contains("no class 'catt'") && unknown.contains("did you mean 'cat'?"), unknown);
        assertThrows(BadInputException.class, () -> CifarParquet.selectImages(spark, cifar, "train", " , "));
    }

    /**
     * A few steps on frogs and cats: one Spark worker trains on exactly what the single-JVM trainer trains on (the two
     * classes' images in id order), and two workers train to finite losses and a checkpoint.
     */
    @Test
    void trainsOnFrogsAndCats() throws Exception {
        SparkSession spark = TestSpark.session();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Dataset<Row> images = CifarParquet.selectImages(spark, cifar, "train", "frog,cat");
        INDArray all = ImageTensors.toTensor(CifarParquet.collectImages(spark, cifar, "train", "frog,cat"));
        INDArray grid = all.get(NDArrayIndex.interval(0, 64));

        TrainConfig one = TinyRuns.config("class", "frog,cat", "workers", "1", "averaging-frequency", "2",
                "steps", "6", "checkpoint-every", "2", "keep-checkpoints", "3");
        RunFolder local = RunFolder.at(dir.resolve("local").toString(), new Configuration());
        Trainer.local(one, new RealImages(all, one.batchSize(), one.seed()), local, Map.of(), quiet)
                .train(Trainer.Start.NEW);
        RunFolder onSpark = RunFolder.at(dir.resolve("spark1").toString(), new Configuration());
        JavaRDD<byte[]> oneShard = Shards.of(images, 1);
        new Trainer(one, grid, state -> new SparkEngine(sc, oneShard, one, state), onSpark, Map.of(), quiet)
                .train(Trainer.Start.NEW);
        for (long round = 1; round <= 3; round++) {
            String step = "checkpoints/" + RunFolder.stepName(2 * round);
            Checkpoint a = Checkpoint.load(local.path(step).toString(), new Configuration());
            Checkpoint b = Checkpoint.load(onSpark.path(step).toString(), new Configuration());
            TrainerTest.assertSameNetwork(a.generator(), b.generator(), "G after round " + round);
            TrainerTest.assertSameNetwork(a.discriminator(), b.discriminator(), "D after round " + round);
        }

        TrainConfig two = TinyRuns.config("class", "frog,cat", "workers", "2", "averaging-frequency", "2",
                "steps", "4", "checkpoint-every", "4", "log-every", "2");
        RunFolder run = RunFolder.at(dir.resolve("spark2").toString(), new Configuration());
        JavaRDD<byte[]> twoShards = Shards.of(images, 2);
        assertArrayEquals(new int[]{5_000, 5_000}, Shards.sizes(twoShards));
        new Trainer(two, grid, state -> new SparkEngine(sc, twoShards, two, state), run, Map.of(), quiet)
                .train(Trainer.Start.NEW);
        List<Map<String, Object>> metrics = run.readMetrics();
        assertEquals(4L, ((Number) metrics.get(metrics.size() - 1).get("step")).longValue());
        for (Map<String, Object> m : metrics) {
            assertTrue(Double.isFinite(((Number) m.get("d_loss")).doubleValue()), m.toString());
            assertTrue(Double.isFinite(((Number) m.get("g_loss")).doubleValue()), m.toString());
        }
        assertTrue(run.exists("checkpoints/step-000004/state.json"));
    }
}

package org.sparkgan.train.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.BadInputException;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.io.RunFolder;
import org.sparkgan.model.Dcgan;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;
import org.sparkgan.train.Checkpoint;
import org.sparkgan.train.ComputeThreads;
import org.sparkgan.train.GanStep;
import org.sparkgan.train.Param;
import org.sparkgan.train.RealImages;
import org.sparkgan.train.Seeds;
import org.sparkgan.train.TinyRuns;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;
import org.sparkgan.train.TrainingState;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkgan.train.TrainerTest.assertBitIdentical;

/** The Spark engine in local[2]: averaging arithmetic, and equivalence with the single-JVM trainer for one worker. */
class SparkEngineTest {
    @TempDir
    static Path dir;
    static Dataset<Row> images;
    static INDArray frogs;

    @BeforeAll
    static void data() throws Exception {
        String parquet = dir.resolve("frogs").toString();
        PrepJob.run(TestSpark.session(), new PrepOptions(TestData.frogs("test").toString(), parquet,
                CifarClasses.parseList("frog"), CifarParquet.SPLITS, "train", false));
        frogs = TinyRuns.frogs(1000);
        images = CifarParquet.selectImages(TestSpark.session(), parquet, "train", "frog"); // an unofficial file name: --split train
    }

    static TrainingState fresh(TrainConfig c) {
        return new TrainingState(0, Dcgan.generator(c.model(), c.optimizer(), 11),
                Dcgan.discriminator(c.model(), c.optimizer(), 12));
    }

    /**
     * Same seeds, data and thread count give the same computation, but not always the same last bit: a Spark task
     * runs on another thread than the test, and ND4J's multi-threaded reductions then round a few values differently
     * (measured: up to 1.2e-6 absolute after 2-3 steps, on values of order 0.1: Keras' RMSprop, whose state starts at
     * 0, divides a first gradient by its own magnitude, so a last-bit difference in a tiny gradient moves its update).
     * In one thread, results are bit-exact (see TrainerTest.resumeIsBitExact).
     */
    static void assertClose(INDArray expected, INDArray actual, String what) {
        double maxDiff = expected.reshape(-1).sub(actual.reshape(-1)).amaxNumber().doubleValue();
        org.junit.jupiter.api.Assertions.assertTrue(maxDiff <= 1e-5, what + ": max difference " + maxDiff);
    }

    /**
     * Each worker computes what this JVM computes for it (within the threads' rounding), and the driver's networks
     * are then bit for bit the mean of the workers' results, summed (w0 + w1) and divided once: the results are
     * collected whole here from a second run of the same round (a pure function of the broadcast state, seed, worker
     * and step) while the engine's round sums them on the executors.
     */
    @Test
    void twoWorkersAverageTheirOwnResults() {
        TrainConfig c = TinyRuns.config("workers", "2", "averaging-frequency", "2", "threads", "1");
        SparkSession spark = TestSpark.session();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<byte[]> shards = Shards.of(images, 2);
        TrainingState start = fresh(c);
        NetworkState initial = NetworkState.of(start.generator(), start.discriminator());
        SparkEngine engine = new SparkEngine(sc, shards, c, start);
        try {
            Broadcast<NetworkState> broadcast = sc.broadcast(initial);
            List<RoundSum> fromSpark = engine.workerResults(broadcast, 0).collect();
            broadcast.destroy();
            engine.runRound(0);

            // each worker's result, recomputed here: its shard is the frogs of rank r with r mod 2 == w
            for (int w = 0; w < 2; w++) {
                MultiLayerNetwork g = initial.restoreGenerator(), d = initial.restoreDiscriminator();
                INDArray shard = frogs.get(NDArrayIndex.interval(w, 2, 1000));
                RealImages data = new RealImages(shard.dup(), c.batchSize(), Seeds.worker(c.seed(), w));
                GanStep step = new GanStep(g, d, c);
                for (long s = 1; s <= 2; s++) step.run(data.batch(s), Seeds.step(Seeds.worker(c.seed(), w), s));
                assertEquals(List.of(w), List.copyOf(fromSpark.get(w).reports().keySet()));
                INDArray p = Nd4j.concat(0, g.params().reshape(-1), d.params().reshape(-1));
                INDArray u = Nd4j.concat(0, g.getUpdater().getStateViewArray().reshape(-1),
                        d.getUpdater().getStateViewArray().reshape(-1));
                assertClose(p, Nd4j.create(fromSpark.get(w).parameters()), "worker " + w + " parameters");
                assertClose(u, Nd4j.create(fromSpark.get(w).updaterState()), "worker " + w + " RMSprop state");
            }
            // the driver's networks are now exactly the element-wise mean of the workers' results, computed here
            float[] p0 = fromSpark.get(0).parameters(), p1 = fromSpark.get(1).parameters();
            float[] u0 = fromSpark.get(0).updaterState(), u1 = fromSpark.get(1).updaterState();
            float[] pMean = new float[p0.length], uMean = new float[u0.length];
            for (int i = 0; i < p0.length; i++) pMean[i] = (p0[i] + p1[i]) / 2f;
            for (int i = 0; i < u0.length; i++) uMean[i] = (u0[i] + u1[i]) / 2f;
            INDArray driverParams = Nd4j.concat(0, engine.generator().params().reshape(-1), engine.discriminator().params().reshape(-1));
            INDArray driverStates = Nd4j.concat(0, engine.generator().getUpdater().getStateViewArray().reshape(-1),
                    engine.discriminator().getUpdater().getStateViewArray().reshape(-1));
            assertBitIdentical(Nd4j.create(pMean), driverParams, "averaged parameters");
            assertBitIdentical(Nd4j.create(uMean), driverStates, "averaged RMSprop states");
            assertEquals(2, engine.generator().getIterationCount());
            assertEquals(List.of(0, 1), engine.lastReports().stream().map(RoundSum.Report::worker).toList());
            assertEquals(2L * 2 * c.batchSize(), engine.lastDecodedImages(), "k batches per worker decoded");
        } finally {
            ComputeThreads.pin(TinyRuns.config().threads()); // local mode: the tasks pinned this JVM's ND4J
        }
    }

    /**
     * Three workers, one held back on purpose so that a different task finishes last each time: the driver's
     * networks are the same bits every time, and those of the workers' results summed ((w0 + w1) + w2) and divided
     * once.
     */
    @Test
    void threeWorkersAverageTheSameWhicheverFinishesLast() {
        TrainConfig c = TinyRuns.config("workers", "3", "averaging-frequency", "1", "threads", "1");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        JavaRDD<byte[]> shards = Shards.of(images, 3);
        try {
            TrainingState start = fresh(c);
            NetworkState initial = NetworkState.of(start.generator(), start.discriminator());
            Broadcast<NetworkState> broadcast = sc.broadcast(initial);
            List<RoundSum> results = new SparkEngine(sc, shards, c, start).workerResults(broadcast, 0).collect();
            broadcast.destroy();
            float[] expected = new float[results.get(0).parameters().length];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = ((results.get(0).parameters()[i] + results.get(1).parameters()[i])
                        + results.get(2).parameters()[i]) / 3f;
            }
            for (int slow = 0; slow < 3; slow++) {
                int held = slow;
                SparkEngine engine = new SparkEngine(sc, shards.mapPartitionsWithIndex((w, it) -> {
                    if (w == held) Thread.sleep(1500);
                    return it;
                }, true), c, fresh(c));
                engine.runRound(0);
                assertBitIdentical(Nd4j.create(expected), Nd4j.concat(0, engine.generator().params().reshape(-1),
                        engine.discriminator().params().reshape(-1)), "parameters with worker " + slow + " held back");
            }
        } finally {
            ComputeThreads.pin(TinyRuns.config().threads());
        }
    }

    /**
     * Every step setting reaches the workers: each gets a non-default value here (a new step setting fails the first
     * check until it does too), and one worker's round must then equal the same steps computed in this JVM with
     * those settings.
     */
    @Test
    void everyStepSettingReachesTheWorkers() {
        Map<String, String> nonDefault = Map.of("latent-dim", "5", "label-noise", "0.3", "reuse-fakes", "true",
                "augment", "color,translation,cutout", "threads", "1");
        TrainConfig defaults = TinyRuns.config();
        List<String> keyValues = new java.util.ArrayList<>(List.of("workers", "1", "averaging-frequency", "2"));
        nonDefault.forEach((k, v) -> keyValues.addAll(List.of(k, v)));
        TrainConfig c = TinyRuns.config(keyValues.toArray(String[]::new));
        for (Param<?> p : TrainConfig.PARAMS) {
            if (!p.stepSetting()) continue;
            assertTrue(nonDefault.containsKey(p.name()), "give step setting " + p.name() + " a non-default value here");
            assertNotEquals(defaults.get(p), c.get(p), p.name());
        }

        TrainingState start = fresh(c);
        NetworkState initial = NetworkState.of(start.generator(), start.discriminator());
        SparkEngine engine = new SparkEngine(JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext()),
                Shards.of(images, 1), c, start);
        try {
            engine.runRound(0);
            MultiLayerNetwork g = initial.restoreGenerator(), d = initial.restoreDiscriminator();
            RealImages data = new RealImages(frogs.dup(), c.batchSize(), c.seed());
            GanStep step = new GanStep(g, d, c);
            for (long s = 1; s <= 2; s++) step.run(data.batch(s), Seeds.step(c.seed(), s));
            // a dropped setting moves parameters by orders of magnitude more than the threads' rounding (~1e-6 here)
            assertClose(Nd4j.concat(0, g.params().reshape(-1), d.params().reshape(-1)),
                    Nd4j.concat(0, engine.generator().params().reshape(-1), engine.discriminator().params().reshape(-1)),
                    "parameters after a round with every step setting");
            assertEquals(1, engine.lastReports().get(0).threads(), "the task pinned --threads");
        } finally {
            ComputeThreads.pin(TinyRuns.config().threads()); // local mode: the task pinned this JVM's ND4J
        }
    }

    /** A run continues on the engine and topology it was trained with: each change is refused naming both. */
    @Test
    void resumeOnAnotherTopologyIsRefused() throws Exception {
        TrainConfig c = TinyRuns.config("workers", "1", "averaging-frequency", "2", "steps", "2", "checkpoint-every", "2");
        RunFolder run = RunFolder.at(dir.resolve("topology").toString(), new Configuration());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Trainer.local(c, new RealImages(frogs, c.batchSize(), c.seed()), run, Map.of(), quiet).train(Trainer.Start.NEW);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        TrainConfig more = TinyRuns.config("workers", "1", "averaging-frequency", "2", "steps", "4");
        String onSpark = assertThrows(BadInputException.class, () -> new Trainer(more, frogs.get(NDArrayIndex.interval(0, 64)),
                state -> new SparkEngine(sc, Shards.of(images, 1), more, state), run, Map.of(), quiet)
                .train(Trainer.Start.RESUME)).getMessage();
        assertTrue(onSpark.contains("trained with single JVM, this run asks for spark, workers 1, averaging_frequency 2"),
                onSpark);
        for (String[] change : new String[][]{{"workers", "2"}, {"averaging-frequency", "4"}}) {
            TrainConfig other = TinyRuns.config("workers", "1", "averaging-frequency", "2", "steps", "4", change[0], change[1]);
            String refused = assertThrows(BadInputException.class, () -> Trainer.local(other,
                    new RealImages(frogs, c.batchSize(), c.seed()), run, Map.of(), quiet).train(Trainer.Start.RESUME)).getMessage();
            assertTrue(refused.contains(change[0] + " " + c.get(TrainConfig.param(change[0])) + " (checkpoint) vs " + change[1]),
                    refused);
        }
    }

    @Test
    void oneWorkerEqualsTheSingleJvmTrainer() throws Exception {
        TrainConfig c = TinyRuns.config("workers", "1", "averaging-frequency", "3", "steps", "3", "checkpoint-every", "3");
        RunFolder local = RunFolder.at(dir.resolve("local").toString(), new Configuration());
        RunFolder spark = RunFolder.at(dir.resolve("spark").toString(), new Configuration());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Trainer.local(c, new RealImages(frogs, c.batchSize(), c.seed()), local, Map.of(), quiet).train(Trainer.Start.NEW);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        JavaRDD<byte[]> shards = Shards.of(images, 1);
        new Trainer(c, frogs.get(NDArrayIndex.interval(0, 64)), state -> new SparkEngine(sc, shards, c, state), spark,
                Map.of(), quiet).train(Trainer.Start.NEW);

        Checkpoint a = Checkpoint.load(local.path("checkpoints/step-000003").toString(), new Configuration());
        Checkpoint b = Checkpoint.load(spark.path("checkpoints/step-000003").toString(), new Configuration());
        assertClose(a.generator().params(), b.generator().params(), "G");
        assertClose(a.discriminator().params(), b.discriminator().params(), "D");
        assertClose(a.generator().getUpdater().getStateViewArray(), b.generator().getUpdater().getStateViewArray(), "G RMSprop");
        assertClose(a.discriminator().getUpdater().getStateViewArray(), b.discriminator().getUpdater().getStateViewArray(), "D RMSprop");
        double dLossLocal = ((Number) local.readMetrics().get(0).get("d_loss")).doubleValue();
        double dLossSpark = ((Number) spark.readMetrics().get(0).get("d_loss")).doubleValue();
        assertEquals(dLossLocal, dLossSpark, 1e-6);
    }
}

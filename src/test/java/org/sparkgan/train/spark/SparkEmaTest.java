package org.sparkgan.train.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.io.RunFolder;
import org.sparkgan.testing.TestData;
import org.sparkgan.testing.TestSpark;
import org.sparkgan.train.Checkpoint;
import org.sparkgan.train.GeneratorEma;
import org.sparkgan.train.TinyRuns;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On Spark, G's moving average follows the averaged G, one update per round of all workers' images. */
class SparkEmaTest {
    @TempDir
    Path dir;

    @Test
    void theAverageOfTheAveragedGenerator() throws Exception {
        String parquet = dir.resolve("frogs").toString();
        PrepJob.run(TestSpark.session(), new PrepOptions(TestData.frogs("test").toString(), parquet,
                CifarClasses.parseList("frog"), CifarParquet.SPLITS, "train", false));
        // k = 1: a round is one step of each worker; by step 10 the ramp-up gives β = 0.5^(16 / (0.05 · 160)) = 0.25
        TrainConfig c = TinyRuns.config("workers", "2", "averaging-frequency", "1", "steps", "10",
                "checkpoint-every", "1", "keep-checkpoints", "2", "ema-kimg", "10");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        JavaRDD<byte[]> shards = Shards.of(CifarParquet.selectImages(TestSpark.session(), parquet, "train", "frog"), 2);
        RunFolder run = RunFolder.at(dir.resolve("run").toString(), new Configuration());
        INDArray grid = TinyRuns.frogs(64).get(NDArrayIndex.interval(0, 64));
        new Trainer(c, grid, state -> new SparkEngine(sc, shards, c, state), run, Map.of(),
                new PrintStream(new ByteArrayOutputStream())).train(Trainer.Start.NEW);

        Checkpoint nine = load(run, 9), ten = load(run, 10);
        double beta = GeneratorEma.beta(10_000, 10 * 2 * 8, 2 * 8);
        assertEquals(0.25, beta, 1e-12);
        INDArray expected = nine.state().generatorEma().params().mul(beta).addi(ten.generator().params().mul(1 - beta));
        double maxDiff = expected.sub(ten.state().generatorEma().params()).amaxNumber().doubleValue();
        assertTrue(maxDiff <= 1e-6, "G_ema = β·G_ema + (1−β)·averaged G after round 10: max difference " + maxDiff);
    }

    private static Checkpoint load(RunFolder run, long step) throws Exception {
        return Checkpoint.load(run.path("checkpoints/" + RunFolder.stepName(step)).toString(), new Configuration());
    }
}

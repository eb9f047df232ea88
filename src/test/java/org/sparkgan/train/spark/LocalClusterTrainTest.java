package org.sparkgan.train.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.cli.MainTest;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.io.RunFolder;
import org.sparkgan.io.RunKeys;
import org.sparkgan.testing.Processes;
import org.sparkgan.testing.TestData;
import org.sparkgan.train.BlasKernels;
import org.sparkgan.train.Checkpoint;
import org.sparkgan.train.TinyRuns;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.train.Trainer;
import org.sparkgan.train.TrainerTest;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.sparkgan.testing.RunProgress.lastLoggedStep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Distributed training with executors in separate JVMs: Spark's local-cluster mode (2 workers, 1 core, 1 GB each).
 * Tagged "cluster": surefire runs it in a JVM of its own, since it owns that JVM's only SparkContext.
 */
@Tag("cluster")
class LocalClusterTrainTest {
    static final String MASTER = "local-cluster[2,1,1024]";
    static final String EXECUTOR_KERNELS = "Prescott";
    @TempDir
    static Path dir;
    static SparkSession spark;
    static String frogs;

    @BeforeAll
    static void cluster() throws Exception {
        Path sparkHome = Files.createDirectories(dir.resolve("spark-home"));
        // the in-process workers read these from system properties: their work folders go under the temp folder
        System.setProperty("spark.testing", "true");
        System.setProperty("spark.test.home", sparkHome.toString());
        spark = SparkSession.builder()
                .master(MASTER)
                .appName("sparkgan-local-cluster-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.testing", "true")
                .config("spark.test.home", sparkHome.toString())
                .config("spark.executorEnv.SPARK_TESTING", "1")
                .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.12")
                .config("spark.executorEnv.OMP_NUM_THREADS", "1")
                // other OpenBLAS kernels than this JVM's (the pom's Haswell): what the run records of each task
                .config("spark.executorEnv.OPENBLAS_CORETYPE", EXECUTOR_KERNELS)
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.executor.extraJavaOptions", "@" + Path.of("conf/java17.args").toAbsolutePath())
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.kryo.registrator", KryoRegistration.class.getName())
                .getOrCreate();
        frogs = dir.resolve("frogs").toString();
        PrepJob.run(spark, new PrepOptions(TestData.frogs("test").toString(), frogs, CifarClasses.parseList("frog"),
                CifarParquet.SPLITS, "train", false));
    }

    @Test
    void trainsWithExecutorJvms() throws Exception {
        String output = dir.resolve("run").toString();
        MainTest.Result r = MainTest.run("train", "--master", MASTER, "--data", frogs,
                "--output", output, "--preset", "small", "--g-dense-channels", "8", "--g-filters", "8",
                "--d-filters", "8", "--batch-size", "8", "--threads", "1", "--workers", "2",
                "--averaging-frequency", "2", "--steps", "4", "--log-every", "2", "--checkpoint-every", "4");
        assertEquals(0, r.status(), r.out() + r.err());
        RunFolder run = RunFolder.at(output, new Configuration());
        DistributedTrainTest.assertRunFolder(run, 4);
        // the executors' kernels, not the driver's, are recorded per task (and the driver warns that they differ)
        assertEquals(List.of(EXECUTOR_KERNELS, EXECUTOR_KERNELS),
                run.readMetrics().get(0).get(RunKeys.TASK_OPENBLAS_CORETYPE));
        assertEquals(BlasKernels.coreType(), ((Map<?, ?>) run.readJson(RunFolder.CONFIG).get(RunKeys.PROVENANCE))
                .get(RunKeys.OPENBLAS_CORETYPE));
    }

    /**
     * A round is a pure function of the broadcast networks, the seed, the worker and the step: a task that fails on
     * its first attempt (run again by Spark) and an executor killed with SIGKILL mid-run (replaced, its cached shard
     * rebuilt from the Parquet data) leave the run's networks and losses those of an undisturbed run.
     */
    @Test
    void aFailedTaskAndAKilledExecutorChangeNothing() throws Exception {
        TrainConfig c = TinyRuns.config("workers", "2", "averaging-frequency", "2", "steps", "16", "log-every", "2",
                "checkpoint-every", "8", "threads", "1");
        RunFolder undisturbed = train(c, "undisturbed", shards -> shards);

        String marker = dir.resolve("failed-once").toString();
        RunFolder disturbedRun = RunFolder.at(dir.resolve("disturbed").toString(), new Configuration());
        AtomicBoolean killed = new AtomicBoolean();
        Thread killer = new Thread(() -> {
            try {
                while (lastLoggedStep(disturbedRun) < 6) Thread.sleep(50);
                executorProcess().ifPresent(p -> killed.set(p.destroyForcibly())); // SIGKILL
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        killer.setDaemon(true);
        killer.start();
        RunFolder disturbed = train(c, "disturbed", shards -> shards.mapPartitionsWithIndex(failOnce(marker), true));
        killer.join(60_000);

        assertTrue(new File(marker).exists(), "the failure was injected");
        assertTrue(killed.get(), "an executor was killed");
        TrainerTest.assertSameMetrics(undisturbed.readMetrics(), disturbed.readMetrics());
        TrainerTest.assertSameState(checkpoint(undisturbed, 16), checkpoint(disturbed, 16));
    }

    /**
     * Worker 1's shard is read first by the engine's job that sizes the shards, then by each round: it throws once,
     * on its second reading, so the first round's task fails and Spark runs it again.
     */
    private static Function2<Integer, Iterator<byte[]>, Iterator<byte[]>> failOnce(String marker) {
        return (worker, images) -> {
            if (worker == 1 && !new File(marker + ".sized").createNewFile() && new File(marker).createNewFile()) {
                throw new IllegalStateException("injected failure of worker 1's task in its first round");
            }
            return images;
        };
    }

    private static RunFolder train(TrainConfig c, String name,
                                   java.util.function.UnaryOperator<JavaRDD<byte[]>> shardsAs) throws Exception {
        RunFolder run = RunFolder.at(dir.resolve(name).toString(), new Configuration());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<byte[]> shards = shardsAs.apply(Shards.of(CifarParquet.selectImages(spark, frogs, "train", "frog"), 2));
        INDArray grid = TinyRuns.frogs(64).get(NDArrayIndex.interval(0, 64));
        new Trainer(c, grid, state -> new SparkEngine(sc, shards, c, state), run, Map.of(),
                new PrintStream(new ByteArrayOutputStream())).train(Trainer.Start.NEW);
        return run;
    }

    /** One of this JVM's executor processes (local-cluster starts them as children). */
    private static Optional<ProcessHandle> executorProcess() {
        return ProcessHandle.current().descendants()
                .filter(p -> Processes.commandLine(p).contains("CoarseGrainedExecutorBackend")).findFirst();
    }

    private static Checkpoint checkpoint(RunFolder run, long step) throws Exception {
        return Checkpoint.load(run.path("checkpoints/" + RunFolder.stepName(step)).toString(), new Configuration());
    }
}

package org.sparkgan.ml;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.BadInputException;
import org.sparkgan.cli.MainTest;
import org.sparkgan.eval.EvalFixtures;
import org.sparkgan.io.RunFolder;
import org.sparkgan.io.RunKeys;
import org.sparkgan.train.RunObserver;
import org.sparkgan.train.BlasKernels;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.testing.TestSpark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fit makes train's run folder from prep's Parquet and from PNG files; the Params are train's options. */
class DcganEstimatorTest {
    static String frogs, trained; // prep's data set, and train's run folder of the tiny run on it
    @TempDir
    static Path dir;

    @BeforeAll
    static void trainWithTheCommandLine() throws Exception {
        frogs = EvalFixtures.prepFrogs(dir);
        trained = dir.resolve("cli-run").toString();
        MainTest.Result r = MlFixtures.train(frogs, trained);
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void fitOnPrepsParquetIsTrainsRun() throws Exception {
        String run = dir.resolve("fit-parquet").toString();
        List<Map<String, Object>> progress = new ArrayList<>();
        DcganModel model = MlFixtures.tinyEstimator(run).addListener(new RunObserver() {
            @Override
            public void afterRecord(Map<String, Object> record) {
                progress.add(record);
            }
        }).fit(TestSpark.session().read().parquet(frogs));
        MlFixtures.assertSameRun(trained, run);
        assertEquals(2, model.step());
        assertEquals(2, progress.size(), "a record per logged step reaches the listener");
        assertEquals(configJson(trained, "provenance").get(RunKeys.DATA_URI), model.provenance().get(RunKeys.DATA_URI),
                "fit names the same data as train");
    }

    @Test
    void fitOnSparksImageSourceIsTheSameRun() throws Exception {
        String pngs = MlFixtures.pngFrogs(dir.resolve("png-frogs"));
        Dataset<Row> images = TestSpark.session().read().format("image").load(pngs);
        String run = dir.resolve("fit-png").toString();
        MlFixtures.tinyEstimator(run).fit(images);
        MlFixtures.assertSameRun(trained, run);
    }

    @Test
    void fitWithWorkersIsTrainsRunOnTheExecutors() throws Exception {
        String cli = dir.resolve("cli-workers").toString();
        TestSpark.session(); // train reuses the test's local[2] session, and stops it
        MainTest.Result r = MlFixtures.train(frogs, cli, "--master", "local[2]", "--workers", "2",
                "--averaging-frequency", "2", "--threads", "1");
        assertEquals(0, r.status(), r.err());

        String run = dir.resolve("fit-workers").toString();
        MlFixtures.tinyEstimator(run).setWorkers(2).setConfig(TrainConfig.AVERAGING_FREQUENCY, 2)
                .setConfig(TrainConfig.THREADS, 1).fit(TestSpark.session().read().parquet(frogs));
        MlFixtures.assertSameRun(cli, run);
        List<Map<String, Object>> metrics = RunFolder.at(run, new Configuration()).readMetrics();
        assertEquals(2, ((List<?>) metrics.get(metrics.size() - 1).get(RunKeys.perWorker(RunKeys.D_LOSS))).size(),
                "trained by two workers");
        // local mode: the tasks run in this JVM, with its OpenBLAS kernels
        assertEquals(List.of(BlasKernels.coreType(), BlasKernels.coreType()),
                metrics.get(0).get(RunKeys.TASK_OPENBLAS_CORETYPE));
        assertEquals(BlasKernels.coreType(), configJson(run, "provenance").get(RunKeys.OPENBLAS_CORETYPE));
    }

    @Test
    void resumesAsTrainDoes() throws Exception {
        Path cli = dir.resolve("cli-resumed");
        try (var files = Files.walk(Path.of(trained))) {
            for (Path f : files.toList()) Files.copy(f, cli.resolve(Path.of(trained).relativize(f).toString()));
        }
        MainTest.Result r = MlFixtures.train(frogs, cli.toString(), "--resume", "auto", "--steps", "4");
        assertEquals(0, r.status(), r.err());

        String run = dir.resolve("fit-resumed").toString();
        Dataset<Row> parquet = TestSpark.session().read().parquet(frogs);
        DcganModel first = MlFixtures.tinyEstimator(run).setStart("auto").fit(parquet); // a new run
        assertEquals(configJson(trained, "provenance").get(RunKeys.DATA_URI),
                configJson(run, "config").get(TrainConfig.DATA.name()), "config.json names the data set");
        assertEquals(2, first.step());
        DcganModel resumed = MlFixtures.tinyEstimator(run).setStart("auto").setSteps(4).fit(parquet);
        assertEquals(4, resumed.step());
        MlFixtures.assertSameRun(cli.toString(), run);
    }

    /** A part of a run folder's config.json: config or provenance. */
    private static Map<?, ?> configJson(String runDir, String part) throws Exception {
        return (Map<?, ?>) RunFolder.at(runDir, new Configuration()).readJson(RunFolder.CONFIG).get(part);
    }

    /** A value of every key that is no preset's default, as train's command line gives it. */
    static final Map<String, String> NO_DEFAULT = Map.ofEntries(Map.entry("preset", "small-plus"),
            Map.entry("data", "hdfs://somewhere/frogs"), Map.entry("class", "cat,dog"), Map.entry("split", "test"),
            Map.entry("resolution", "64"), Map.entry("latent-dim", "16"), Map.entry("g-dense-channels", "16"),
            Map.entry("g-filters", "24"), Map.entry("d-filters", "40"), Map.entry("leaky-alpha", "0.2"),
            Map.entry("dropout", "0.25"), Map.entry("d-lr", "0.0005"), Map.entry("g-lr", "0.0002"),
            Map.entry("rho", "0.8"), Map.entry("epsilon", "1e-6"), Map.entry("clip", "0.5"),
            Map.entry("batch-size", "12"), Map.entry("label-noise", "0.1"), Map.entry("reuse-fakes", "true"),
            Map.entry("augment", "color,cutout"), Map.entry("seed", "7"), Map.entry("steps", "123"),
            Map.entry("log-every", "5"), Map.entry("sample-every", "50"), Map.entry("checkpoint-every", "25"),
            Map.entry("keep-checkpoints", "4"), Map.entry("threads", "2"), Map.entry("eval-every", "20"),
            Map.entry("eval-images", "100"), Map.entry("ema-kimg", "5"), Map.entry("on-divergence", "stop"),
            Map.entry("max-rollbacks", "1"), Map.entry("workers", "3"), Map.entry("averaging-frequency", "2"));

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyConfigurationKeyRoundTripsThroughTheParams() {
        assertEquals(TrainConfig.PARAMS.stream().map(org.sparkgan.train.Param::name).collect(Collectors.toSet()),
                NO_DEFAULT.keySet(), "a value for every key");
        TrainConfig config = TrainConfig.resolve(NO_DEFAULT);
        String explained = new DcganEstimator().explainParams();
        TrainConfig.Builder built = TrainConfig.preset(config.preset());
        for (org.sparkgan.train.Param<?> key : TrainConfig.PARAMS) {
            Object value = config.get(key);
            for (String preset : TrainConfig.PRESETS) {
                assertNotEquals(key.parse(key.defaultFor(preset)), value, key.name() + ": " + preset + "'s default");
            }
            // set, then get, then TrainConfig
            DcganEstimator estimator = new DcganEstimator();
            Param p = estimator.param(key);
            estimator.set(p, value);
            assertEquals(value, estimator.getOrDefault(p), key.name());
            assertEquals(value, estimator.getConfig().get(key), key.name());
            assertEquals(Set.of(key.name()), estimator.configSet().keySet(), "only the key set is set");
            assertEquals(p, estimator.getParam(p.name()));
            assertTrue(explained.contains(key.help().lines().findFirst().orElseThrow()), key.name());
            with(built, key, config);
        }
        assertEquals(config, new DcganEstimator().setConfig(config).getConfig());
        assertEquals(config, built.build(), "the typed builder");
        assertEquals("seed", new DcganEstimator().param(TrainConfig.SEED).name());
        assertEquals("checkpointInterval", new DcganEstimator().param(TrainConfig.CHECKPOINT_EVERY).name());
        assertEquals("gDenseChannels", new DcganEstimator().param(TrainConfig.G_DENSE_CHANNELS).name());
        // an unset key takes its preset's default, as on the command line
        assertEquals(64, new DcganEstimator().setPreset("small").getConfig().get(TrainConfig.G_FILTERS));
    }

    private static <T> void with(TrainConfig.Builder builder, org.sparkgan.train.Param<T> key, TrainConfig config) {
        builder.with(key, config.get(key));
    }

    @Test
    void aBadValueIsTheCommandLinesOneLineError() {
        DcganEstimator estimator = new DcganEstimator();
        String library = assertThrows(BadInputException.class,
                () -> estimator.setConfig(TrainConfig.BATCH_SIZE, 0)).getMessage();
        MainTest.Result cli = MainTest.run("train", "--batch-size", "0");
        assertEquals(2, cli.status());
        assertEquals("sparkgan train: error: " + library, cli.err().strip());
        String preset = assertThrows(BadInputException.class,
                () -> estimator.set(estimator.getParam("preset"), "smal")).getMessage();
        assertEquals("unknown preset 'smal' (did you mean 'small'?) (expected one of seed, seed-plus, small, "
                + "small-plus)", preset);
        assertThrows(BadInputException.class, () -> estimator.setStart("again"));
    }

    @Test
    void writesAndReadsItsParams() throws Exception {
        DcganEstimator estimator = MlFixtures.tinyEstimator("hdfs://nowhere/run").setStart("auto")
                .setImageCol("picture").setSeed(9);
        String path = dir.resolve("estimator").toString();
        estimator.save(path);
        DcganEstimator loaded = DcganEstimator.load(path);
        assertEquals(estimator.uid(), loaded.uid());
        assertEquals(estimator.getConfig(), loaded.getConfig());
        assertEquals(estimator.configSet(), loaded.configSet(), "set keys stay set; unset ones follow the preset");
        assertEquals("hdfs://nowhere/run", loaded.getRunDir());
        assertEquals("auto", loaded.getStart());
        assertEquals("picture", loaded.getImageCol());
    }
}

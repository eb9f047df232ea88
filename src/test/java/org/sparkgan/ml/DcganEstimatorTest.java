package org.sparkgan.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.BadInputException;
import org.sparkgan.cli.MainTest;
import org.sparkgan.io.RunFolder;
import org.sparkgan.io.RunKeys;
import org.sparkgan.train.RunObserver;
import org.sparkgan.train.TrainConfig;
import org.sparkgan.testing.TestSpark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fit makes train's run folder from prep's Parquet and from PNG files; the Params are train's options. */
class DcganEstimatorTest {
    @TempDir
    static Path dir;
    static String frogs, trained;

    @BeforeAll
    static void trainWithTheCommandLine() throws Exception {
        frogs = MlFixtures.prepFrogs(dir);
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
        assertEquals(((Map<?, ?>) RunFolder.at(trained, new org.apache.hadoop.conf.Configuration())
                        .readJson(RunFolder.CONFIG).get("provenance")).get(RunKeys.DATA_URI),
                model.provenance().get(RunKeys.DATA_URI), "fit names the same data as train");
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
    @SuppressWarnings("unchecked")
    void everyConfigurationKeyRoundTripsThroughTheParams() {
        TrainConfig config = TrainConfig.preset("small-plus").with(TrainConfig.STEPS, 123).with(TrainConfig.SEED, 7L)
                .with(TrainConfig.G_LR, 0.0002).with(TrainConfig.REUSE_FAKES, true).with(TrainConfig.CLASS, "cat,dog")
                .with(TrainConfig.AUGMENT, "color,cutout").with(TrainConfig.CHECKPOINT_EVERY, 50).build();
        assertEquals(config, new DcganEstimator().setConfig(config).getConfig());
        DcganEstimator estimator = new DcganEstimator();
        String explained = estimator.explainParams();
        for (org.sparkgan.train.Param<?> key : TrainConfig.PARAMS) {
            @SuppressWarnings({"unchecked", "rawtypes"}) Param p = estimator.param(key);
            estimator.set(p, config.get(key));
            assertEquals(config.get(key), estimator.getOrDefault(p), key.name());
            assertEquals(p, estimator.getParam(p.name()));
            assertTrue(explained.contains(key.help().lines().findFirst().orElseThrow()), key.name());
        }
        assertEquals(config, estimator.getConfig());
        assertEquals("seed", estimator.param(TrainConfig.SEED).name());
        assertEquals("checkpointInterval", estimator.param(TrainConfig.CHECKPOINT_EVERY).name());
        assertEquals("gDenseChannels", estimator.param(TrainConfig.G_DENSE_CHANNELS).name());
        // an unset key takes its preset's default, as on the command line
        assertEquals(64, new DcganEstimator().setPreset("small").getConfig().get(TrainConfig.G_FILTERS));
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

package org.sparkgan.ml;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkgan.eval.EvalFixtures;
import org.sparkgan.eval.GeneratorSamples;
import org.sparkgan.testing.TestSpark;

import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A checkpoint's generator as a model: seeds or latents to images, saved and loaded bit for bit, in a Pipeline. */
class DcganModelTest {
    @TempDir
    Path dir;

    static Dataset<Row> seeds() {
        return TestSpark.session().range(0, 12).withColumnRenamed("id", "seed").repartition(3);
    }

    static List<byte[]> images(Dataset<Row> df) {
        return df.orderBy(col("seed")).select(col("image")).collectAsList().stream().map(r -> (byte[]) r.get(0))
                .toList();
    }

    static void assertSameImages(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), actual.get(i), "image " + i);
    }

    @Test
    void transformsSeedsAndLatentsAndLoadsBitForBit() throws Exception {
        DcganModel model = DcganModel.fromCheckpoint(EvalFixtures.tinyCheckpoint(dir));
        List<byte[]> fromSeeds = images(model.transform(seeds()));
        assertEquals(12, fromSeeds.size());

        // seed S: the latent of generate --seed S --count 1
        INDArray z = GeneratorSamples.latents(5, 1, model.config().model().latentDim());
        byte[] seedFive = ImageColumns.bytes(GeneratorSamples.generate(model.sampler(), z).data().asFloat(), 0, 32);
        assertArrayEquals(seedFive, fromSeeds.get(5));

        String path = dir.resolve("model").toString();
        model.save(path);
        DcganModel loaded = DcganModel.load(path);
        assertEquals(model.uid(), loaded.uid());
        assertEquals(model.config(), loaded.config());
        assertEquals(model.step(), loaded.step());
        assertSameImages(fromSeeds, images(loaded.transform(seeds())));

        List<Row> structs = loaded.setImageFormat("image").transform(seeds()).orderBy(col("seed"))
                .select(col("image")).collectAsList();
        for (int i = 0; i < structs.size(); i++) {
            assertArrayEquals(fromSeeds.get(i), ImageColumns.planar(structs.get(i).getStruct(0)), "struct " + i);
        }
    }

    @Test
    void aPipelineFitsSavesAndLoads() throws Exception {
        String frogs = EvalFixtures.prepFrogs(dir);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[]{
                MlFixtures.tinyEstimator(dir.resolve("pipeline-run").toString())});
        PipelineModel fitted = pipeline.fit(TestSpark.session().read().parquet(frogs));
        String path = dir.resolve("pipeline").toString();
        fitted.write().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        assertSameImages(images(fitted.transform(seeds())), images(loaded.transform(seeds())));

        pipeline.write().save(dir.resolve("unfitted").toString());
        assertEquals(pipeline.getStages()[0].uid(), Pipeline.load(dir.resolve("unfitted").toString()).getStages()[0].uid());
    }
}

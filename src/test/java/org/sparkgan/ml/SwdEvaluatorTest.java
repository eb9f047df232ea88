package org.sparkgan.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.cli.MainTest;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.eval.EvalFixtures;
import org.sparkgan.testing.TestSpark;

import java.nio.file.Path;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The evaluator gives eval's numbers for the same sets, N and seed, and eval's floor. */
class SwdEvaluatorTest {
    @TempDir
    Path dir;

    @Test
    void scoresAsEvalDoes() throws Exception {
        String frogs = EvalFixtures.prepFrogs(dir);
        DcganModel model = DcganModel.fromCheckpoint(EvalFixtures.tinyCheckpoint(dir));
        Dataset<Row> generated = model.generate(30, 4);
        // the same images as a data set eval --generated reads
        String made = dir.resolve("made").toString();
        generated.withColumn("split", lit("train")).withColumn("label", lit(CifarClasses.label("frog")))
                .withColumn("label_name", lit("frog")).withColumn("resolution", lit(32))
                .write().mode(SaveMode.Overwrite).partitionBy("split", "label_name").parquet(made);
        MainTest.Result eval = MainTest.run("eval", "--generated", made, "--reference", frogs, "--class", "frog",
                "--images", "30", "--seed", "3", "--json");
        assertEquals(0, eval.status(), eval.err());
        JsonNode json = new ObjectMapper().readTree(eval.out().lines().findFirst().orElseThrow());
        TestSpark.session(); // eval stopped the session it shared
        generated = model.generate(30, 4);

        SwdEvaluator evaluator = new SwdEvaluator().setReference(TestSpark.session().read().parquet(frogs))
                .setNumImages(30).setSeed(3).setClasses("frog");
        assertFalse(evaluator.isLargerBetter());
        assertEquals(json.get("swd_generated_vs_test").get("avg").asDouble(), evaluator.evaluate(generated));
        assertEquals(json.get("swd_generated_vs_test").get("level16").asDouble(),
                evaluator.distance(generated).levels().get(1).value());
        assertEquals(json.get("swd_train_vs_test").get("avg").asDouble(),
                evaluator.floor(TestSpark.session().read().parquet(frogs)).average());

        String path = dir.resolve("evaluator").toString();
        evaluator.save(path);
        SwdEvaluator loaded = SwdEvaluator.load(path).setReference(TestSpark.session().read().parquet(frogs));
        assertEquals(evaluator.evaluate(generated), loaded.evaluate(generated));
    }
}

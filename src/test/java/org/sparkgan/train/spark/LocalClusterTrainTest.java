package org.sparkgan.train.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgan.cli.MainTest;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.CifarParquet;
import org.sparkgan.data.PrepJob;
import org.sparkgan.data.PrepOptions;
import org.sparkgan.io.RunFolder;
import org.sparkgan.testing.TestData;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Distributed training with executors in separate JVMs: Spark's local-cluster mode (2 workers, 1 core, 1 GB each).
 * Tagged "cluster": surefire runs it in a JVM of its own, since it owns that JVM's only SparkContext.
 */
@Tag("cluster")
class LocalClusterTrainTest {
    @TempDir
    Path dir;

    @Test
    void trainsWithExecutorJvms() throws Exception {
        Path sparkHome = Files.createDirectories(dir.resolve("spark-home"));
        // the in-process workers read these from system properties: their work folders go under the temp folder
        System.setProperty("spark.testing", "true");
        System.setProperty("spark.test.home", sparkHome.toString());
        SparkSession spark = SparkSession.builder()
                .master("local-cluster[2,1,1024]")
                .appName("sparkgan-local-cluster-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.testing", "true")
                .config("spark.test.home", sparkHome.toString())
                .config("spark.executorEnv.SPARK_TESTING", "1")
                .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.12")
                .config("spark.executorEnv.OMP_NUM_THREADS", "1")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.executor.extraJavaOptions", "@" + Path.of("conf/java17.args").toAbsolutePath())
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.kryo.registrator", KryoRegistration.class.getName())
                .getOrCreate();
        String frogs = dir.resolve("frogs").toString();
        PrepJob.run(spark, new PrepOptions(TestData.frogs("test").toString(), frogs, CifarClasses.parseList("frog"),
                CifarParquet.SPLITS, "train", false));
        String output = dir.resolve("run").toString();

        MainTest.Result r = MainTest.run("train", "--master", "local-cluster[2,1,1024]", "--data", frogs,
                "--output", output, "--preset", "small", "--g-dense-channels", "8", "--g-filters", "8",
                "--d-filters", "8", "--batch-size", "8", "--threads", "1", "--workers", "2",
                "--averaging-frequency", "2", "--steps", "4", "--log-every", "2", "--checkpoint-every", "4");
        assertEquals(0, r.status(), r.out() + r.err());
        RunFolder run = RunFolder.at(output, new Configuration());
        DistributedTrainTest.assertRunFolder(run, 4);
    }
}

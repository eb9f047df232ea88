package org.sparkgan.cli;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparkgan.BadInputException;
import org.sparkgan.train.TrainConfig;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start-up check that refuses an off-heap limit too small for the preset. */
class MemoryCheckTest {
    final TrainConfig seed = TrainConfig.resolve(Map.of("preset", "seed"));
    final TrainConfig small = TrainConfig.resolve(Map.of("preset", "small"));

    @Test
    void estimatesGrowWithTheModelAndTheBatch() {
        long s = MemoryCheck.estimateOffHeapBytes(small), d = MemoryCheck.estimateOffHeapBytes(seed);
        assertTrue(s > 256L << 20 && s < 1L << 30, "small: " + (s >> 20) + " MB");
        assertTrue(d > 700L << 20 && d < 2L << 30, "seed: " + (d >> 20) + " MB");
        assertTrue(MemoryCheck.estimateOffHeapBytes(TrainConfig.resolve(Map.of("preset", "seed", "batch-size", "64"))) > d);
    }

    @Test
    void refusesTooSmallAcceptsEnoughOrNoLimit() {
        String msg = assertThrows(BadInputException.class, () -> MemoryCheck.requireOffHeapFor(seed, 512L << 20)).getMessage();
        assertTrue(msg.contains("off-heap limit 512 MB") && msg.contains("preset seed")
                && msg.contains("-Dorg.bytedeco.javacpp.maxbytes="), msg);
        assertDoesNotThrow(() -> MemoryCheck.requireOffHeapFor(seed, 4L << 30));
        assertDoesNotThrow(() -> MemoryCheck.requireOffHeapFor(small, 1L << 30));
        assertDoesNotThrow(() -> MemoryCheck.requireOffHeapFor(seed, 0));
    }

    /** The settings conf/sparkgan-submit.conf gives a preset, as yarn.sh passes them to spark-submit. */
    static SparkConf submitted(String master, String deployMode, String heap, String maxBytes, String overhead) {
        return new SparkConf(false).setMaster(master).set("spark.submit.deployMode", deployMode)
                .set("spark.executor.memory", heap).set("spark.driver.memory", heap)
                .set("spark.executor.extraJavaOptions", "--add-opens=java.base/java.nio=ALL-UNNAMED "
                        + "-Dorg.bytedeco.javacpp.maxbytes=" + maxBytes)
                .set("spark.driver.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=" + maxBytes)
                .set("spark.executor.memoryOverhead", overhead).set("spark.driver.memoryOverhead", overhead);
    }

    @Test
    void onYarnAnOverheadBelowTheOffHeapLimitIsRefusedInOneLine() {
        assertDoesNotThrow(() -> MemoryCheck.requireContainerMemoryFor(small, submitted("yarn", "cluster", "2g", "1g", "1536m")));
        assertDoesNotThrow(() -> MemoryCheck.requireContainerMemoryFor(seed, submitted("yarn", "cluster", "4g", "3g", "3584m")));
        String msg = assertThrows(BadInputException.class, () -> MemoryCheck.requireContainerMemoryFor(small,
                submitted("yarn", "cluster", "2g", "1g", "512m"))).getMessage();
        assertTrue(msg.startsWith("spark.executor.memoryOverhead 512 MB cannot hold the executor's off-heap limit of "
                + "1,024 MB") && msg.contains("raise it to 1408m (EXECUTOR_MEMORY_OVERHEAD)"), msg);
        assertEquals(1, msg.lines().count(), msg);
        // no -D option: JavaCPP's limit is the heap, and Spark's default overhead (10%, at least 384 MB) is below it
        SparkConf defaults = new SparkConf(false).setMaster("yarn").set("spark.executor.memory", "2g");
        assertTrue(assertThrows(BadInputException.class, () -> MemoryCheck.requireContainerMemoryFor(small, defaults))
                .getMessage().startsWith("spark.executor.memoryOverhead 384 MB cannot hold the executor's off-heap "
                        + "limit of 2,048 MB"));
        // the driver's own container counts in cluster deploy mode only
        SparkConf smallDriver = submitted("yarn", "cluster", "2g", "1g", "1536m").set("spark.driver.memoryOverhead", "1g");
        assertTrue(assertThrows(BadInputException.class, () -> MemoryCheck.requireContainerMemoryFor(small, smallDriver))
                .getMessage().contains("(DRIVER_MEMORY_OVERHEAD)"));
        assertDoesNotThrow(() -> MemoryCheck.requireContainerMemoryFor(small, smallDriver.set("spark.submit.deployMode", "client")));
        // executors whose off-heap limit is below the preset's estimate
        assertTrue(assertThrows(BadInputException.class, () -> MemoryCheck.requireContainerMemoryFor(seed,
                submitted("k8s://https://kube:6443", "cluster", "4g", "512m", "3584m"))).getMessage()
                .startsWith("the executors' off-heap limit 512 MB is below"));
    }

    @Test
    void withoutContainerLimitsNothingIsChecked() {
        for (String master : List.of("local[2]", "spark://127.0.0.1:7077")) {
            assertDoesNotThrow(() -> MemoryCheck.requireContainerMemoryFor(seed, submitted(master, "client", "1g", "512m", "1m")));
        }
    }
}

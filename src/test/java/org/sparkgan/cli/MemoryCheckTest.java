package org.sparkgan.cli;

import org.junit.jupiter.api.Test;
import org.sparkgan.BadInputException;
import org.sparkgan.train.TrainConfig;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
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
}

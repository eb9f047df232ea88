package org.sparkgan.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The analytic FLOP count behind bench's GFLOP/s, against hand-computed layer sums. */
class FlopCountTest {
    @Test
    void seedModel() {
        // G per image: Dense 2·32·32768, Conv 2·25·128·256·256, ConvT 2·16·256·256·256, 2 × Conv 2·25·256·256·1024,
        // Conv 2·49·256·3·1024
        double g = 2.0 * 32 * 32768 + 2.0 * 25 * 128 * 256 * 256 + 2.0 * 16 * 256 * 256 * 256
                + 2 * (2.0 * 25 * 256 * 256 * 1024) + 2.0 * 49 * 256 * 3 * 1024;
        assertEquals(g, FlopCount.generatorForward(DcganTest.SEED), 1);
        assertEquals(7.74e9, g, 0.01e9);
        // one iteration at batch 20 is ~0.64 TFLOP, the figure behind PyTorch's 320 GFLOP/s at 2.0 s
        assertEquals(0.64e12, FlopCount.ganStep(DcganTest.SEED, 20, false).total(), 0.02e12);
        assertEquals(20 * FlopCount.generatorForward(DcganTest.SEED),
                FlopCount.ganStep(DcganTest.SEED, 20, false).total() - FlopCount.ganStep(DcganTest.SEED, 20, true).total(), 1e6);
    }

    @Test
    void discriminator() {
        double d = 2.0 * 9 * 3 * 128 * 900 + 2.0 * 16 * 128 * 128 * (196 + 36 + 4) + 2.0 * 128 * 4;
        assertEquals(d, FlopCount.discriminatorForward(DcganTest.SEED), 1);
    }
}

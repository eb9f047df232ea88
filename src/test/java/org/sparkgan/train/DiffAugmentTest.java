package org.sparkgan.train;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.sparkgan.BadInputException;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;
import static org.sparkgan.train.TrainerTest.assertBitIdentical;

/**
 * Each op of DiffAugment against the same op written with ND4J's array operations on real frogs, with numbers set by
 * hand; the ranges the numbers are drawn from; the gradients by finite differences; the seeding; the policy text.
 */
class DiffAugmentTest {
    static INDArray frogs;

    @BeforeAll
    static void loadFrogs() throws Exception {
        frogs = TinyRuns.frogs(2);
    }

    /** An augmentation of the two frogs under {@code policy} whose color numbers are the identity's. */
    static DiffAugment.Augmentation neutral(String policy) {
        DiffAugment.Augmentation a = DiffAugment.of(policy).draw(frogs, 0);
        Arrays.fill(a.brightness, 0f);
        Arrays.fill(a.saturation, 1f);
        Arrays.fill(a.contrast, 1f);
        return a;
    }

    static INDArray image(INDArray batch, int i) {
        return batch.get(point(i), all(), all(), all()).castTo(DataType.DOUBLE);
    }

    static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double maxDiff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE))
                .amaxNumber().doubleValue();
        assertTrue(maxDiff <= tolerance, what + ": max difference " + maxDiff);
    }

    @Test
    void brightnessAddsItsNumberToEveryValueOfTheImage() {
        DiffAugment.Augmentation a = neutral("color");
        a.brightness[0] = 0.3f;
        a.brightness[1] = -0.45f;
        INDArray out = a.apply(frogs);
        assertClose(image(frogs, 0).add(0.3), image(out, 0), 1e-6, "frog 0");
        assertClose(image(frogs, 1).sub(0.45), image(out, 1), 1e-6, "frog 1");
    }

    @Test
    void saturationScalesEachPixelsDistanceFromItsMeanOverTheChannels() {
        DiffAugment.Augmentation a = neutral("color");
        a.saturation[0] = 1.7f;
        a.saturation[1] = 0.2f;
        INDArray out = a.apply(frogs);
        for (int i = 0; i < 2; i++) {
            INDArray x = image(frogs, i);
            INDArray mean = x.mean(true, 0).broadcast(x.shape());
            assertClose(x.sub(mean).mul(a.saturation[i]).add(mean), image(out, i), 1e-6, "frog " + i);
        }
        assertFalse(image(out, 0).equalsWithEps(image(frogs, 0), 1e-3), "the numbers changed frog 0");
    }

    @Test
    void contrastScalesEachValuesDistanceFromTheImagesMean() {
        DiffAugment.Augmentation a = neutral("color");
        a.contrast[0] = 0.6f;
        a.contrast[1] = 1.4f;
        INDArray out = a.apply(frogs);
        for (int i = 0; i < 2; i++) {
            INDArray x = image(frogs, i);
            double mean = x.meanNumber().doubleValue();
            assertClose(x.sub(mean).mul(a.contrast[i]).add(mean), image(out, i), 1e-6, "frog " + i);
        }
    }

    @Test
    void translationShiftsByWholePixelsWithZerosShiftedIn() {
        DiffAugment.Augmentation a = neutral("translation");
        a.shiftRows[0] = 3;
        a.shiftCols[0] = -2;
        a.shiftRows[1] = -4;
        a.shiftCols[1] = 4;
        INDArray out = a.apply(frogs);
        for (int i = 0; i < 2; i++) {
            // out(r, c) = in(r + dr, c + dc): the rows and columns that stay inside
            int dr = a.shiftRows[i], dc = a.shiftCols[i];
            INDArray expected = Nd4j.zeros(DataType.DOUBLE, 3, 32, 32);
            expected.get(all(), rows(-dr), rows(-dc)).assign(image(frogs, i).get(all(), rows(dr), rows(dc)));
            assertBitIdentical(expected.castTo(DataType.FLOAT), image(out, i).castTo(DataType.FLOAT), "frog " + i);
        }
    }

    /** The indices 0..31 that stay inside the image when moved by -d. */
    private static INDArrayIndex rows(int d) {
        return d >= 0 ? interval(d, 32) : interval(0, 32 + d);
    }

    @Test
    void cutoutZeroesOneSquareOfHalfTheSizeClippedAtTheBorder() {
        DiffAugment.Augmentation a = neutral("cutout");
        a.cutoutRow[0] = 5; // rows -3..12 of the square: 0..12 inside
        a.cutoutCol[0] = 30; // columns 22..37: 22..31 inside
        a.cutoutRow[1] = 16;
        a.cutoutCol[1] = 9;
        INDArray out = a.apply(frogs);
        INDArray first = image(frogs, 0).dup(), second = image(frogs, 1).dup();
        first.get(all(), interval(0, 13), interval(22, 32)).assign(0);
        second.get(all(), interval(8, 24), interval(1, 17)).assign(0);
        assertBitIdentical(first.castTo(DataType.FLOAT), image(out, 0).castTo(DataType.FLOAT), "frog 0");
        assertBitIdentical(second.castTo(DataType.FLOAT), image(out, 1).castTo(DataType.FLOAT), "frog 1");
    }

    /** The reference code's ranges, every whole number of them reached over many draws. */
    @Test
    void numbersAreDrawnFromTheReferenceRanges() {
        INDArray batch = Nd4j.zeros(DataType.FLOAT, 500, 3, 32, 32);
        DiffAugment.Augmentation a = DiffAugment.of("color,translation,cutout").draw(batch, 11);
        assertWithin(a.brightness, -0.5, 0.5);
        assertWithin(a.saturation, 0, 2);
        assertWithin(a.contrast, 0.5, 1.5);
        assertEquals(set(IntStream.rangeClosed(-4, 4)), set(Arrays.stream(a.shiftRows)), "row shifts: up to 32/8");
        assertEquals(set(IntStream.rangeClosed(-4, 4)), set(Arrays.stream(a.shiftCols)), "column shifts");
        assertEquals(set(IntStream.rangeClosed(0, 32)), set(Arrays.stream(a.cutoutRow)), "cutout centre rows");
        assertEquals(set(IntStream.rangeClosed(0, 32)), set(Arrays.stream(a.cutoutCol)), "cutout centre columns");
    }

    private static void assertWithin(float[] values, double low, double high) {
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(min >= low && max < high && min < low + 0.05 && max > high - 0.05,
                "[" + min + ", " + max + "] should fill [" + low + ", " + high + ")");
    }

    private static Set<Integer> set(IntStream values) {
        return new HashSet<>(values.boxed().toList());
    }

    @Test
    void gradientOfEachOpAndOfTheWholePolicyByFiniteDifferences() {
        for (String policy : new String[]{"color", "translation", "cutout", "color,translation,cutout"}) {
            assertGradientByFiniteDifferences(DiffAugment.of(policy).draw(frogs, policy.hashCode()), policy);
        }
        // an order other than the paper's: backprop undoes the ops in reverse
        assertGradientByFiniteDifferences(DiffAugment.of("cutout,translation,color").draw(frogs, 3), "reversed");
    }

    /**
     * L(x) = Σ w·augment(x), in double, with positive weights (so the mean terms of saturation and contrast weigh in):
     * its central differences at every value of frog 0, and every 5th of frog 1 (drawn its own numbers), are
     * backprop(w). The augmentation is affine in x, so even a wide step is exact but for the float rounding of the
     * augmented values (~2e-4 at a step of 1/8, a quarter of that at 1/2); a wrong term is off by ~0.1 or more.
     */
    private static void assertGradientByFiniteDifferences(DiffAugment.Augmentation a, String what) {
        Nd4j.getRandom().setSeed(17);
        INDArray weights = Nd4j.rand(DataType.FLOAT, frogs.shape()).addi(0.5);
        float[] w = weights.data().asFloat();
        float[] gradient = a.backprop(weights).data().asFloat();
        float[] x = frogs.dup('c').data().asFloat();
        float h = 0.5f;
        double maxError = 0;
        for (int j = 0; j < x.length; j += j < x.length / 2 ? 1 : 5) {
            float original = x[j], up = original + h, down = original - h;
            x[j] = up;
            double plus = loss(a, x, w);
            x[j] = down;
            double minus = loss(a, x, w);
            x[j] = original;
            maxError = Math.max(maxError, Math.abs((plus - minus) / ((double) up - down) - gradient[j]));
        }
        assertTrue(maxError < 5e-4, what + ": gradient vs central differences, max error " + maxError);
    }

    private static double loss(DiffAugment.Augmentation a, float[] x, float[] w) {
        float[] y = a.apply(Nd4j.create(x, frogs.shape(), 'c')).data().asFloat();
        double sum = 0;
        for (int j = 0; j < y.length; j++) sum += (double) w[j] * y[j];
        return sum;
    }

    @Test
    void theSameSeedGivesTheSameAugmentationAndEachImageItsOwn() {
        DiffAugment augment = DiffAugment.of("color,translation,cutout");
        INDArray twins = Nd4j.concat(0, image(frogs, 0).castTo(DataType.FLOAT).reshape(1, 3, 32, 32),
                image(frogs, 0).castTo(DataType.FLOAT).reshape(1, 3, 32, 32));
        INDArray once = augment.draw(twins, 5).apply(twins), again = augment.draw(twins, 5).apply(twins);
        assertBitIdentical(once, again, "same seed");
        assertFalse(once.equalsWithEps(augment.draw(twins, 6).apply(twins), 1e-3), "another seed, another draw");
        assertFalse(image(once, 0).equalsWithEps(image(once, 1), 1e-3), "two copies of a frog, two augmentations");
        assertBitIdentical(image(frogs, 0).castTo(DataType.FLOAT), image(twins, 0).castTo(DataType.FLOAT),
                "the input is left as it was");
    }

    @Test
    void policyTextIsNoneOrASubsetAndAnUnknownOpIsNamed() {
        assertTrue(DiffAugment.of("none").isNone());
        assertEquals(DiffAugment.NONE, TinyRuns.config().get(TrainConfig.AUGMENT), "the book's loop by default");
        assertEquals("cutout,color", TinyRuns.config("augment", " cutout, color").get(TrainConfig.AUGMENT));
        assertEquals(java.util.List.of(DiffAugment.Op.CUTOUT, DiffAugment.Op.COLOR),
                DiffAugment.of("cutout,color").policy(), "applied in the order given");
        BadInputException unknown = assertThrows(BadInputException.class,
                () -> TinyRuns.config("augment", "color,translatoin"));
        assertTrue(unknown.getMessage().contains("'translatoin'") && unknown.getMessage().contains("'translation'")
                && !unknown.getMessage().contains("\n"), unknown.getMessage());
        assertThrows(BadInputException.class, () -> TinyRuns.config("augment", "color,color"));
        assertThrows(BadInputException.class, () -> TinyRuns.config("augment", "color,"));
        assertThrows(BadInputException.class, () -> TinyRuns.config("augment", "none,color"));
    }
}

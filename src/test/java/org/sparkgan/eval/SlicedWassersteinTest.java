package org.sparkgan.eval;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkgan.BadInputException;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SWD on real CIFAR-10: zero on itself, small between real frog sets, large against noise and another class. */
class SlicedWassersteinTest {
    static final int N = 500;
    static INDArray trainFrogs, testFrogs, airplanes, noise;
    static SlicedWasserstein.Result floor;

    @BeforeAll
    static void load() throws Exception {
        trainFrogs = EvalFixtures.frogs("train", N);
        testFrogs = EvalFixtures.frogs("test", N);
        airplanes = EvalFixtures.airplanes(N);
        noise = EvalFixtures.noise(N, 7);
        floor = swd(trainFrogs, testFrogs);
    }

    static SlicedWasserstein.Result swd(INDArray a, INDArray b) {
        return SlicedWasserstein.distance(a, b, 1);
    }

    @Test
    void aSetAgainstItselfIsExactlyZero() {
        SlicedWasserstein.Result r = swd(testFrogs, testFrogs.dup());
        assertEquals(N, r.images());
        assertEquals(List.of(32, 16), r.levels().stream().map(SlicedWasserstein.Level::resolution).toList());
        for (SlicedWasserstein.Level level : r.levels()) assertEquals(0.0, level.value(), level.toString());
        assertEquals(0.0, r.average());
    }

    @Test
    void realVsRealIsFarBelowNoiseAndBelowAnotherClass() {
        SlicedWasserstein.Result noiseVsFrogs = swd(noise, testFrogs);
        SlicedWasserstein.Result frogsVsAirplanes = swd(testFrogs, airplanes);
        String all = "train-vs-test frogs " + floor + "\nnoise-vs-frogs " + noiseVsFrogs + "\nfrogs-vs-airplanes "
                + frogsVsAirplanes;
        System.out.println(all);
        assertTrue(floor.average() > 0, all);
        assertTrue(5 * floor.average() < noiseVsFrogs.average(), all);
        assertTrue(floor.average() < frogsVsAirplanes.average(), all);
        for (int l = 0; l < 2; l++) {
            double f = floor.levels().get(l).value();
            assertTrue(5 * f < noiseVsFrogs.levels().get(l).value(), "level " + l + "\n" + all);
            assertTrue(f < frogsVsAirplanes.levels().get(l).value(), "level " + l + "\n" + all);
        }
    }

    @Test
    void aSeedGivesTheSameValueAndOrderDoesNotMatter() {
        INDArray a = trainFrogs.get(NDArrayIndex.interval(0, 200)), b = testFrogs.get(NDArrayIndex.interval(0, 200));
        SlicedWasserstein.Result first = SlicedWasserstein.distance(a, b, 5);
        assertEquals(first, SlicedWasserstein.distance(a, b, 5));
        assertEquals(first, SlicedWasserstein.distance(b, a, 5));
        SlicedWasserstein.Described described = SlicedWasserstein.describe(b, 5);
        assertEquals(first, SlicedWasserstein.distance(a, described), "a described set gives the same value");
        assertEquals(first, SlicedWasserstein.distance(a, described), "and can be compared again");
        assertThrows(IllegalArgumentException.class,
                () -> SlicedWasserstein.distance(SlicedWasserstein.describe(a, 6), described));
        assertThrows(BadInputException.class, () -> SlicedWasserstein.distance(b.get(NDArrayIndex.interval(0, 100)), described));
        SlicedWasserstein.Result other = SlicedWasserstein.distance(a, b, 6);
        assertNotEquals(first, other, "the seed draws the patches and directions");
        assertEquals(first.average(), other.average(), 0.25 * first.average(), "but the estimate is stable");
    }

    @Test
    void perSetNormalisationHidesAGlobalColourShift() {
        // darker, less contrasty and shifted differently per channel: an affine change of each channel
        INDArray shifted = testFrogs.dup();
        double[][] scaleAndShift = {{0.5, -0.3}, {0.6, 0.2}, {0.4, -0.5}};
        for (int c = 0; c < 3; c++) {
            INDArray channel = shifted.get(NDArrayIndex.all(), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all());
            channel.muli(scaleAndShift[c][0]).addi(scaleAndShift[c][1]);
        }
        SlicedWasserstein.Result blind = swd(shifted, testFrogs);
        assertTrue(blind.average() < floor.average() / 2, "SWD " + blind + " vs real-vs-real " + floor);

        ColourStats real = ColourStats.of(testFrogs), changed = ColourStats.of(shifted);
        for (int c = 0; c < 3; c++) {
            double expectedMean = scaleAndShift[c][0] * real.mean().get(c) + scaleAndShift[c][1];
            assertEquals(expectedMean, changed.mean().get(c), 1e-4, "channel " + c);
            assertEquals(scaleAndShift[c][0] * real.std().get(c), changed.std().get(c), 1e-4, "channel " + c);
            assertTrue(Math.abs(changed.mean().get(c) - real.mean().get(c)) > 0.1, "the colour statistics show it");
        }
    }

    @Test
    void flatImagesGiveAFiniteDistance() {
        INDArray flat = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 100, 3, 32, 32);
        SlicedWasserstein.Result r = swd(flat, testFrogs.get(NDArrayIndex.interval(0, 100)));
        for (SlicedWasserstein.Level level : r.levels()) {
            assertTrue(Double.isFinite(level.value()) && level.value() > 0, r.toString());
        }
    }

    @Test
    void at64PixelsThePyramidHasOneMoreLevelDownTo16() throws Exception {
        // the frogs enlarged to 64x64 (each pixel 2x2): levels 64, 32, 16, as ProGAN's pyramid stops at 16
        INDArray train = enlarged(EvalFixtures.frogs("train", 64)), test = enlarged(EvalFixtures.frogs("test", 64));
        SlicedWasserstein.Result real = SlicedWasserstein.distance(train, test, 3);
        assertEquals(List.of(64, 32, 16), real.levels().stream().map(SlicedWasserstein.Level::resolution).toList());
        assertEquals(0.0, SlicedWasserstein.distance(train, train, 3).average());
        SlicedWasserstein.Result noise = SlicedWasserstein.distance(enlarged(EvalFixtures.noise(64, 5)), test, 3);
        assertTrue(noise.average() > 3 * real.average(), noise + " vs " + real);
    }

    static INDArray enlarged(INDArray images) {
        return images.repeat(2, 2).repeat(3, 2);
    }

    @Test
    void setsOfDifferentSizesOrShapesAreRefused() {
        INDArray small = testFrogs.get(NDArrayIndex.interval(0, 10));
        String sizes = assertThrows(BadInputException.class,
                () -> swd(small, testFrogs.get(NDArrayIndex.interval(0, 11)))).getMessage();
        assertTrue(sizes.contains("same size"), sizes);
        assertThrows(BadInputException.class, () -> swd(Nd4j.zeros(10, 1, 32, 32), Nd4j.zeros(10, 1, 32, 32)));
        assertThrows(BadInputException.class, () -> swd(Nd4j.zeros(10, 3, 8, 8), Nd4j.zeros(10, 3, 8, 8)));
    }

    @Test
    void laplacianPyramidSplitsDetailFromLowPass() {
        Random random = new Random(3);
        float[] image = new float[2 * 32 * 32];
        for (int i = 0; i < image.length; i++) image[i] = random.nextInt(256);
        List<float[]> pyramid = SlicedWasserstein.laplacianPyramid(image, 2, List.of(32, 16));
        assertEquals(2 * 32 * 32, pyramid.get(0).length);
        assertEquals(2 * 16 * 16, pyramid.get(1).length);
        // detail + upsampled low-pass gives the image back
        float[] up = SlicedWasserstein.pyrUp(pyramid.get(1), 2, 16);
        for (int i = 0; i < image.length; i++) assertEquals(image[i], pyramid.get(0)[i] + up[i], 1e-3);

        // a flat image has no detail, and the filter keeps its level (mirrored borders included)
        float[] flat = new float[32 * 32];
        java.util.Arrays.fill(flat, 100f);
        List<float[]> flatPyramid = SlicedWasserstein.laplacianPyramid(flat, 1, List.of(32, 16));
        for (float v : flatPyramid.get(0)) assertEquals(0f, v, 1e-4);
        for (float v : flatPyramid.get(1)) assertEquals(100f, v, 1e-4);

        // pyr_down of an impulse next to the corner: the mirror (d c b | a b c d) counts its pixel twice at the border
        float[] impulse = new float[32 * 32];
        impulse[32 + 1] = 256f;
        float[] down = SlicedWasserstein.pyrDown(impulse, 1, 32);
        assertEquals(64f, down[0], 1e-4); // (4 + 4) · (4 + 4)
        assertEquals(32f, down[1], 1e-4); // (4 + 4) · 4: output (0, 1) is input (0, 2)
        assertEquals(16f, down[16 + 1], 1e-4); // 4 · 4
    }

    @Test
    void radixSortMatchesArraysSort() {
        Random random = new Random(11);
        float[] values = new float[1000 + 5000];
        for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
        values[1000] = 0f;
        values[1001] = -0f;
        values[1002] = Float.MAX_VALUE;
        values[1003] = -Float.MAX_VALUE;
        int[] keys = new int[5000], scratch = new int[5000];
        SlicedWasserstein.sortedKeys(values, 1000, keys, scratch);
        float[] expected = java.util.Arrays.copyOfRange(values, 1000, 6000);
        java.util.Arrays.sort(expected);
        float[] actual = new float[5000];
        for (int i = 0; i < keys.length; i++) actual[i] = SlicedWasserstein.fromKey(keys[i]);
        assertArrayEquals(expected, actual);
    }
}

package org.sparkgan.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shapes, parameter counts, and agreement of the fast op-based convolutions with DL4J's own layers. */
class DcganTest {
    static final OptimizerConfig RMSPROP = new OptimizerConfig(0.0008, 0.0004, 0.9, 1e-7, 1.0);
    static final ModelConfig SEED = new ModelConfig(32, 128, 256, 128, 0.3, 0.4);
    static final ModelConfig SMALL = new ModelConfig(32, 32, 64, 64, 0.3, 0.4);
    /**
     * The op-based layers agree with DL4J's to float32 rounding: measured at most 2.3e-6 here over twelve latent
     * draws (a G gradient) and 6.4e-7 in {@link OpConvolutionTest}. 1e-4 leaves room for another CPU's rounding,
     * while a border row off by 5% in a 32×32 map (relative error ~9e-3, see below) fails.
     */
    static final double TOLERANCE = 1e-4;
    /** LeakyReLU inputs at least this far from 0: farther than the two implementations' rounding apart. */
    private static final double KINK_MARGIN = 5e-8;
    private static double largestError;

    @Test
    void parameterCountsMatchTheKerasModel() {
        for (Dcgan.Convolutions impl : Dcgan.Convolutions.values()) {
            assertEquals(6_264_579, Dcgan.generator(SEED, RMSPROP, 1, impl).numParams(), impl + " seed G");
            assertEquals(790_913, Dcgan.discriminator(SEED, RMSPROP, 1, impl).numParams(), impl + " seed D");
            assertEquals(601_539, Dcgan.generator(SMALL, RMSPROP, 1, impl).numParams(), impl + " small G");
            assertEquals(198_849, Dcgan.discriminator(SMALL, RMSPROP, 1, impl).numParams(), impl + " small D");
        }
        // latent_dim only changes G's Dense layer: (latent + 1) * 128*16*16 weights and biases
        ModelConfig two = new ModelConfig(2, 128, 256, 128, 0.3, 0.4);
        assertEquals(6_264_579 - 30L * 128 * 16 * 16, Dcgan.generator(two, RMSPROP, 1).numParams());
    }

    /** Weights and biases of a k×k convolution (or transposed convolution) from nIn to nOut channels. */
    static long conv(long nIn, long nOut, long k) {
        return nIn * nOut * k * k + nOut;
    }

    @Test
    void at64PixelsGAndDGrowByOneStrideTwoStage() {
        ModelConfig seed64 = new ModelConfig(32, 128, 256, 128, 0.3, 0.4, 64);
        // G: Dense(32 -> 128*16*16), Conv(128->256,5), 2 x ConvT(256->256,4), 2 x Conv(256->256,5), Conv(256->3,7)
        long g = (32 + 1) * 128L * 16 * 16 + conv(128, 256, 5) + 2 * conv(256, 256, 4) + 2 * conv(256, 256, 5)
                + conv(256, 3, 7);
        // D: Conv(3->128,3), 4 x Conv(128->128,4, stride 2): 64 -> 62 -> 30 -> 14 -> 6 -> 2; Dense(128*2*2 -> 1)
        long d = conv(3, 128, 3) + 4 * conv(128, 128, 4) + (128L * 2 * 2 + 1);
        assertEquals(7_313_411, g);
        assertEquals(1_053_185, d);
        for (Dcgan.Convolutions impl : Dcgan.Convolutions.values()) {
            assertEquals(g, Dcgan.generator(seed64, RMSPROP, 1, impl).numParams(), impl + " seed G at 64");
            assertEquals(d, Dcgan.discriminator(seed64, RMSPROP, 1, impl).numParams(), impl + " seed D at 64");
        }
        ModelConfig small64 = new ModelConfig(32, 32, 64, 64, 0.3, 0.4, 64);
        assertEquals(601_539 + conv(64, 64, 4), Dcgan.generator(small64, RMSPROP, 1).numParams());
        assertEquals(198_849 + conv(64, 64, 4), Dcgan.discriminator(small64, RMSPROP, 1).numParams());

        MultiLayerNetwork small = Dcgan.generator(small64, RMSPROP, 1);
        INDArray fakes = small.output(Nd4j.randn(DataType.FLOAT, 2, 32), false);
        assertArrayEquals(new long[]{2, 3, 64, 64}, fakes.shape());
        assertArrayEquals(new long[]{2, 1}, Dcgan.discriminator(small64, RMSPROP, 1).output(fakes, false).shape());
    }

    @Test
    void shapesAndRanges() {
        MultiLayerNetwork g = Dcgan.generator(SMALL, RMSPROP, 1), d = Dcgan.discriminator(SMALL, RMSPROP, 1);
        INDArray fakes = g.output(Nd4j.randn(DataType.FLOAT, 5, 32), false);
        assertArrayEquals(new long[]{5, 3, 32, 32}, fakes.shape());
        assertTrue(fakes.maxNumber().doubleValue() <= 1 && fakes.minNumber().doubleValue() >= -1, "tanh range");
        INDArray p = d.output(fakes, false);
        assertArrayEquals(new long[]{5, 1}, p.shape());
        assertTrue(p.minNumber().doubleValue() > 0 && p.maxNumber().doubleValue() < 1, "sigmoid range");
    }

    @Test
    void opConvolutionsAgreeWithDl4jLayers() {
        ModelConfig m = new ModelConfig(8, 8, 16, 16, 0.3, 0.0); // no dropout: gradients comparable
        MultiLayerNetwork gOps = Dcgan.generator(m, RMSPROP, 3, Dcgan.Convolutions.OPS);
        MultiLayerNetwork gRef = Dcgan.generator(m, RMSPROP, 3, Dcgan.Convolutions.DL4J_LAYERS);
        MultiLayerNetwork dOps = Dcgan.discriminator(m, RMSPROP, 4, Dcgan.Convolutions.OPS);
        MultiLayerNetwork dRef = Dcgan.discriminator(m, RMSPROP, 4, Dcgan.Convolutions.DL4J_LAYERS);
        copyInto(gRef, gOps);
        copyInto(dRef, dOps);

        // latents that put no LeakyReLU input within rounding of 0, where the two implementations could round to
        // opposite sides and take different slopes (such a draw measured 4.6e-3 in G's lower gradients)
        Nd4j.getRandom().setSeed(1);
        INDArray z = Nd4j.randn(DataType.FLOAT, 4, 8);
        List<INDArray> activations = gRef.feedForward(z, false);
        for (int i = 1; i < activations.size() - 1; i++) { // the hidden layers' LeakyReLU outputs
            double nearest = Nd4j.math.abs(activations.get(i)).minNumber().doubleValue();
            assertTrue(nearest >= KINK_MARGIN, "G layer " + (i - 1) + " has an input " + nearest + " from LeakyReLU's kink");
        }
        INDArray fakes = gRef.output(z, false);
        assertClose(fakes, gOps.output(z, false), "G forward");
        assertClose(dRef.output(fakes, false), dOps.output(fakes, false), "D forward");

        // D: parameter gradients and the gradient with respect to its input (what G's update backpropagates)
        INDArray labels = Nd4j.rand(DataType.FLOAT, 4, 1);
        var dGradRef = dRef.calculateGradients(fakes, labels, null, null);
        var dGradOps = dOps.calculateGradients(fakes, labels, null, null);
        assertClose(dGradRef.getSecond(), dGradOps.getSecond(), "D input gradient");
        assertSameParameterGradients(dRef, dGradRef.getFirst(), dGradOps.getFirst(), "D");

        // G: backpropagating the same epsilon
        INDArray epsilon = dGradRef.getSecond();
        gRef.setInput(z);
        gRef.feedForward(true, false);
        gOps.setInput(z);
        gOps.feedForward(true, false);
        Gradient gGradRef = gRef.backpropGradient(epsilon, LayerWorkspaceMgr.noWorkspaces()).getFirst();
        Gradient gGradOps = gOps.backpropGradient(epsilon, LayerWorkspaceMgr.noWorkspaces()).getFirst();
        assertSameParameterGradients(gRef, gGradRef, gGradOps, "G");
    }

    static void assertSameParameterGradients(MultiLayerNetwork ref, Gradient expected, Gradient actual, String net) {
        int compared = 0;
        for (int i = ref.getnLayers() - 1; i >= 0; i--) {
            for (String key : new String[]{"W", "b"}) {
                INDArray e = expected.getGradientFor(i + "_" + key);
                if (e == null) continue;
                INDArray converted = key.equals("W") ? toOpsLayout(ref.getLayer(i), e) : e;
                INDArray a = actual.getGradientFor(i + "_" + key);
                assertClose(converted.reshape(a.shape()), a, net + " layer " + i + " " + key + " gradient");
                compared++;
            }
        }
        assertTrue(compared >= 8, net + ": compared " + compared + " gradients");
    }

    /** Copies the reference network's parameters into the op-based one, converting kernel layouts. */
    static void copyInto(MultiLayerNetwork ref, MultiLayerNetwork ops) {
        for (int i = 0; i < ref.getnLayers(); i++) {
            Layer r = ref.getLayer(i), o = ops.getLayer(i);
            if (r.numParams() == 0) continue;
            assertEquals(r.numParams(), o.numParams(), "layer " + i);
            INDArray w = r.getParam("W"), b = r.getParam("b");
            // assign into the existing views: they are slices of the network's flat parameter array
            o.getParam("W").assign(toOpsLayout(r, w));
            o.getParam("b").assign(b.reshape(o.getParam("b").shape()));
        }
    }

    /**
     * DL4J kernels are [out, in, kH, kW] (convolution) and [in, out, kH, kW] (deconvolution); the ops take
     * [kH, kW, in, out] and [kH, kW, out, in]: the same permutation in both cases. Dense layers are unchanged.
     */
    static INDArray toOpsLayout(Layer ref, INDArray w) {
        return w.rank() == 4 ? w.permute(2, 3, 1, 0).dup('c') : w;
    }

    @Test
    void aBorderRowOffByFivePercentFails() {
        // a 'same' padding defect: the top row of a 32×32 output map wrong by 5%, everything else exact
        Nd4j.getRandom().setSeed(7);
        INDArray expected = Nd4j.randn(DataType.FLOAT, 4, 16, 32, 32);
        INDArray corrupted = expected.dup();
        corrupted.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).muli(1.05);
        double error = relativeError(expected, corrupted);
        assertTrue(error > TOLERANCE && error < 1e-2, "the old bound of 1e-2 let it pass: " + error);
        assertThrows(AssertionError.class, () -> assertClose(expected, corrupted, "corrupted border row"));
    }

    /** ||actual - expected|| / ||expected||. */
    static double relativeError(INDArray expected, INDArray actual) {
        double norm = expected.norm2Number().doubleValue();
        return expected.sub(actual).norm2Number().doubleValue() / Math.max(norm, 1e-12);
    }

    /** Equal up to float32 rounding: relative error at most {@link #TOLERANCE}; the largest is printed per class. */
    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double error = relativeError(expected, actual);
        assertTrue(error <= TOLERANCE, what + ": relative error " + error);
        largestError = Math.max(largestError, error);
    }

    /** Prints (and resets) the largest relative error the class's comparisons met. */
    static void printLargestError(Class<?> test) {
        System.out.printf("%s: largest relative error %.2e (bound %.0e)%n", test.getSimpleName(), largestError, TOLERANCE);
        largestError = 0;
    }

    @AfterAll
    static void printLargestError() {
        printLargestError(DcganTest.class);
    }
}
